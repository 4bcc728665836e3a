using BenchmarkDotNet.Attributes;
using CourseNotification.Enrolments;
using CourseNotification.Signals;

namespace CourseNotification.Benchmarks;

/// <summary>
/// Decisions per second of the engine on realistic snapshots: a course of 1,000 learners in several
/// time zones, one or two enrolments each, some who came, some who finished, some with a history of
/// sends, evaluated at one instant. One operation = one decision (11 per learner).
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmark
{
    private const int Learners = 1000;
    private static readonly string[] Zones = ["Europe/Paris", "America/Montreal", "Pacific/Noumea", "99", "Africa/Abidjan", "Indian/Reunion"];

    private readonly Decision[] _output = new Decision[SignalEngine.BuiltInCount];
    private Course _course = null!;
    private EnrolmentSnapshot[] _snapshots = null!;
    private IReadOnlyList<SendRecord>[] _histories = null!;
    private SignalSettings _settings = null!;
    private DateTimeOffset _at;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var start = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.FromHours(1));
        _course = new Course { Id = 12, FullName = "Sécurité au travail", StartDate = start, EndDate = start.AddDays(120) };
        _settings = new SignalSettings { SiteZone = TimeZones.FindOrThrow("Europe/Paris"), LearnerRoles = new HashSet<string>(["student"]) };
        _at = start.AddDays(40).AddHours(9);
        _snapshots = new EnrolmentSnapshot[Learners];
        _histories = new IReadOnlyList<SendRecord>[Learners];
        for (var i = 0; i < Learners; i++)
        {
            var enrolmentStart = start.AddDays(random.Next(-5, 30));
            var accessed = random.Next(3) > 0;
            var lastAccess = accessed ? enrolmentStart.AddDays(random.Next(0, 35)) : (DateTimeOffset?)null;
            Enrolment[] enrolments = random.Next(4) == 0
                ? [new Enrolment { Id = i * 2, Start = enrolmentStart, End = enrolmentStart.AddDays(60) }, new Enrolment { Id = i * 2 + 1, Method = "self", Start = enrolmentStart.AddDays(3) }]
                : [new Enrolment { Id = i * 2, Start = enrolmentStart, End = enrolmentStart.AddDays(random.Next(30, 90)) }];
            _snapshots[i] = new EnrolmentSnapshot
            {
                CourseId = 12,
                LearnerId = i,
                Enrolments = enrolments,
                Roles = ["student"],
                FirstAccess = lastAccess is null ? null : enrolmentStart.AddDays(1),
                LastAccess = lastAccess,
                CompletedAt = random.Next(6) == 0 ? start.AddDays(random.Next(10, 39)) : null,
                Profile = new LearnerProfile("fr", Zones[random.Next(Zones.Length)], false),
            };
            var anchor = DateOnly.FromDateTime(enrolmentStart.Date);
            _histories[i] = random.Next(2) == 0
                ? [new SendRecord(new SendKey(12, i, SignalKeys.Welcome, anchor, 0), SendState.Sent, enrolmentStart.AddHours(9), null),
                   new SendRecord(new SendKey(12, i, SignalKeys.FirstCall, anchor, 0), SendState.Sent, enrolmentStart.AddDays(7).AddHours(9), null)]
                : [];
        }
    }

    [Benchmark(OperationsPerInvoke = Learners * 11)]
    public int Decide()
    {
        var due = 0;
        for (var i = 0; i < _snapshots.Length; i++)
        {
            SignalEngine.Evaluate(_course, _snapshots[i], _histories[i], _settings, _at, _output);
            for (var d = 0; d < _output.Length; d++)
            {
                due += _output[d].State == DecisionState.Due ? 1 : 0;
            }
        }
        return due;
    }
}
