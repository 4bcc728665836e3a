using BenchmarkDotNet.Attributes;
using CourseNotification.Enrolments;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Templates;
using Microsoft.Extensions.Options;

namespace CourseNotification.Benchmarks;

/// <summary>
/// Rendering a whole end reminder (subject, HTML with its layout and button, text with its footer) for
/// one learner, against invoking the same compiled Handlebars.Net templates alone on a model built
/// beforehand: what the renderer adds is choosing the language and building the model (dates in the
/// learner's culture and zone, days left, links).
/// </summary>
[MemoryDiagnoser]
public class RenderBenchmark
{
    private readonly TemplateCatalog _catalog = new();
    private MailRenderer _renderer = null!;
    private MailContext _context = null!;
    private Dictionary<string, object?> _model = null!;

    [GlobalSetup]
    public void Setup()
    {
        var platform = new PlatformOptions { SiteName = "Formapro", MoodleUrl = "https://moodle.formapro.fr" };
        _renderer = new MailRenderer(_catalog, Options.Create(platform));
        var start = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.FromHours(1));
        var course = new Course { Id = 12, ShortName = "SST", FullName = "Sécurité au travail", StartDate = start };
        var snapshot = new EnrolmentSnapshot
        {
            CourseId = 12,
            LearnerId = 501,
            Enrolments = [new Enrolment { Id = 1, Start = start, End = start.AddDays(60) }],
            FirstAccess = start.AddDays(1),
            LastAccess = start.AddDays(20),
            Profile = new LearnerProfile("fr", "Europe/Paris", false),
        };
        var settings = new SignalSettings { SiteZone = TimeZones.FindOrThrow("Europe/Paris"), LearnerRoles = new HashSet<string>(["student"]) };
        var learner = new Learner { Id = 501, Username = "jdupont", Email = "j@example.fr", FirstName = "Jeanne", LastName = "Dupont", Lang = "fr" };
        _context = new MailContext(course, learner, new LearnerFacts(course, snapshot, settings, start.AddDays(53).AddHours(9)), "https://notify.formapro.fr/u/501.abc");
        _model = MailRenderer.Model(_context, Languages.Culture("fr"), platform);
        _ = Renderer();
        _ = TemplatesAlone();
    }

    [Benchmark(Baseline = true)]
    public int TemplatesAlone() =>
        _catalog.Render(SignalKeys.End7, "fr", MailPart.Subject, _model).Length
        + _catalog.Render(SignalKeys.End7, "fr", MailPart.Html, _model).Length
        + _catalog.Render(SignalKeys.End7, "fr", MailPart.Text, _model).Length;

    [Benchmark]
    public int Renderer()
    {
        var mail = _renderer.Render(SignalKeys.End7, _context);
        return mail.Subject.Length + mail.Html.Length + mail.Text.Length;
    }
}
