using System.Globalization;
using CourseNotification.Enrolments;
using CourseNotification.Questionnaires;
using CourseNotification.Settings;
using CourseNotification.Signals;

namespace CourseNotification.Digest;

/// <summary>
/// The trainers' weekly digest (docs/digest.md): one mail a week per person, for every course where they
/// hold one of the digest's roles and the digest is on, sent when the first of those courses' weekday
/// and hour comes in their own time zone. Its ledger row is <c>0/{person}/digest/{Monday of the ISO week}/0</c>
/// (course 0: a send about no single course), so it goes out once per person and week whatever the
/// number of courses.
/// </summary>
public static class TrainerDigest
{
    public const string Signal = "digest";

    /// <summary>The ledger's course for sends about no single course.</summary>
    public const long SiteCourse = 0;

    /// <summary>A learner whose access ends within this many days without completion is listed.</summary>
    public const int EndingWithinDays = 15;

    /// <summary>What was sent to a listed learner within this many days is shown.</summary>
    public const int SentWithinDays = 7;

    /// <summary>The most learners listed per section of a course (the rest are counted).</summary>
    public const int ListedPerSection = 50;

    /// <summary>The Monday of the ISO week of a day.</summary>
    public static DateOnly WeekOf(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    public static SendKey Key(long personId, DateOnly week) => new(SiteCourse, personId, Signal, week, 0);

    /// <summary>Whether the snapshot's person holds one of the digest's roles in its course.</summary>
    public static bool IsRecipient(EnrolmentSnapshot snapshot, DigestSchedule digest) =>
        snapshot.Roles is { } roles && roles.Any(digest.Roles.Contains);

    /// <summary>The ISO week (its Monday) whose digest is due at <paramref name="at"/> in <paramref name="zone"/> by this schedule: during its weekday's hour; null otherwise.</summary>
    public static DateOnly? DueWeek(DigestSchedule digest, TimeZoneInfo zone, DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        return local.DayOfWeek == digest.Day && local.Hour == digest.Hour ? WeekOf(DateOnly.FromDateTime(local.DateTime)) : null;
    }

    /// <summary>A signal's name in a trainer's mail.</summary>
    public static string Label(string signal, string lang)
    {
        var french = lang == "fr";
        if (QuestionnaireSignals.Parse(signal) is { } q)
        {
            return q.Reminder == 0
                ? (french ? $"questionnaire «\u00A0{q.Campaign}\u00A0»" : $"questionnaire \"{q.Campaign}\"")
                : (french ? $"relance {q.Reminder} du questionnaire «\u00A0{q.Campaign}\u00A0»" : $"questionnaire \"{q.Campaign}\" reminder {q.Reminder}");
        }
        return signal switch
        {
            SignalKeys.Welcome => french ? "bienvenue" : "welcome",
            SignalKeys.FirstCall => french ? "première relance" : "first call",
            SignalKeys.SecondCall => french ? "deuxième relance" : "second call",
            SignalKeys.Inactive => french ? "alerte d'inactivité" : "inactivity alert",
            SignalKeys.Closed => french ? "fin d'accès" : "access closed",
            SignalKeys.Completed => french ? "félicitations" : "congratulations",
            _ when SignalKeys.EndReminders.Any(e => e.Signal == signal) => french ? $"fin d'accès dans {signal[3..]} j" : $"access ends in {signal[3..]} days",
            _ => signal,
        };
    }
}

/// <summary>One learner in a digest: name, what makes them listed, what was sent to them in the last 7 days.</summary>
public sealed record DigestLearner(long LearnerId, string Name, string Detail, IReadOnlyList<string> Sent);

/// <summary>One course in a digest: its three lists (each capped, with the total), its status page and its digest settings.</summary>
public sealed record DigestCourse(
    Course Course, DigestSchedule Schedule, int InactivityDays, string StatusUrl,
    IReadOnlyList<DigestLearner> NeverCame, int NeverCameTotal,
    IReadOnlyList<DigestLearner> Inactive, int InactiveTotal,
    IReadOnlyList<DigestLearner> EndingSoon, int EndingSoonTotal)
{
    public bool IsEmpty => NeverCameTotal == 0 && InactiveTotal == 0 && EndingSoonTotal == 0;
}

/// <summary>A person's digest as of an instant: who, in which zone and language, and their courses with the digest on.</summary>
public sealed record DigestContent(Learner Person, TimeZoneInfo Zone, string Lang, IReadOnlyList<DigestCourse> Courses)
{
    /// <summary>Something to report in at least one course.</summary>
    public bool HasNews => Courses.Any(c => !c.IsEmpty);

    /// <summary>Whether it goes out at all: something to report, or a course that wants it even when there is nothing.</summary>
    public bool WorthSending => HasNews || Courses.Any(c => c.Schedule.SendWhenEmpty);

    /// <summary>The week due at <paramref name="at"/> by the first of the courses' schedules that is due then; null when none is.</summary>
    public DateOnly? DueWeek(DateTimeOffset at) => Courses.Select(c => TrainerDigest.DueWeek(c.Schedule, Zone, at)).FirstOrDefault(w => w is not null);
}
