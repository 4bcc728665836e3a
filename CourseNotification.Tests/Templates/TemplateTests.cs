using System.Runtime.CompilerServices;
using CourseNotification.Enrolments;
using CourseNotification.Questionnaires;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Templates;
using Microsoft.Extensions.Options;

namespace CourseNotification.Tests.Templates;

/// <summary>
/// The default texts of every signal in French and English, rendered for one learner on the day each
/// goes out, compared with the snapshots in Templates/Snapshots (set UPDATE_SNAPSHOTS=1 to rewrite them
/// after a deliberate change, then read the diff).
/// </summary>
[TestClass]
[TestCategory("unit")]
public sealed class TemplateTests
{
    private static readonly TimeSpan Cet = TimeSpan.FromHours(1);
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 0, 0, 0, Cet);
    private static readonly DateTimeOffset End = new(2026, 3, 6, 0, 0, 0, Cet);
    private static readonly SignalSettings Settings = new() { SiteZone = TimeZones.FindOrThrow("Europe/Paris"), LearnerRoles = new HashSet<string>(["student"]) };
    private static readonly Course Course = new() { Id = 12, ShortName = "SST", FullName = "Sécurité au travail", StartDate = Start, EndDate = null };

    private static MailRenderer Renderer() => new(new TemplateCatalog(), Options.Create(new PlatformOptions { SiteName = "Formapro", MoodleUrl = "https://moodle.formapro.fr" }));

    private static Learner Learner(string lang, string firstName = "Jeanne") => new()
    {
        Id = 501, Username = "jdupont", Email = "j@example.fr", FirstName = firstName, LastName = "Dupont", Lang = lang, TimeZone = "Europe/Paris",
    };

    /// <summary>The snapshot, and the instant, at which each signal goes out in the reference timeline.</summary>
    private static (EnrolmentSnapshot Snapshot, DateTimeOffset At) Situation(string signal, string lang)
    {
        var snapshot = new EnrolmentSnapshot
        {
            CourseId = 12,
            LearnerId = 501,
            Enrolments = [new Enrolment { Id = 1, Start = Start, End = End }],
            Roles = ["student"],
            Profile = new LearnerProfile(lang, "Europe/Paris", false),
        };
        var nine = TimeSpan.FromHours(9);
        return signal switch
        {
            SignalKeys.Welcome => (snapshot, Start + nine),
            SignalKeys.FirstCall => (snapshot, Start.AddDays(7) + nine),
            SignalKeys.SecondCall => (snapshot, Start.AddDays(15) + nine),
            SignalKeys.Closed => (snapshot, End + nine),
            SignalKeys.Completed or Invitation or Reminder => (snapshot with { FirstAccess = Start.AddDays(1), LastAccess = Start.AddDays(30), CompletedAt = Start.AddDays(30) }, Start.AddDays(30) + nine),
            SignalKeys.Inactive => (snapshot with { FirstAccess = Start.AddDays(2).AddHours(14), LastAccess = Start.AddDays(2).AddHours(14) }, Start.AddDays(16) + nine),
            _ => (snapshot, End.AddDays(-SignalKeys.EndReminders.Single(e => e.Signal == signal).DaysBefore) + nine),
        };
    }

    internal static RenderedMail Render(string signal, string lang, SignalSettings? settings = null, Learner? learner = null, EnrolmentSnapshot? snapshot = null, DateTimeOffset? at = null)
    {
        var situation = Situation(signal, lang);
        var facts = new LearnerFacts(Course, snapshot ?? situation.Snapshot, settings ?? Settings, at ?? situation.At);
        var questionnaire = QuestionnaireSignals.IsQuestionnaire(signal)
            ? new QuestionnaireLink("https://notify.formapro.fr/q/Zm9ybWFwcm8tcXVlc3Rp", "Votre avis", Start.AddDays(74).AddHours(9), Anonymous: true)
            : null;
        return Renderer().Render(signal, new MailContext(Course, learner ?? Learner(lang), facts, "https://notify.formapro.fr/u/501.abc", questionnaire));
    }

    private const string Invitation = "questionnaire:hot";
    private const string Reminder = "questionnaire:hot:reminder1";

    public static IEnumerable<object[]> EverySignalInBothLanguages =>
        SignalKeys.All.Append(Invitation).Append(Reminder).SelectMany(signal => new[] { new object[] { signal, "fr" }, new object[] { signal, "en" } });

    [TestMethod]
    [DynamicData(nameof(EverySignalInBothLanguages))]
    public void Every_default_text_matches_its_snapshot(string signal, string lang)
    {
        var mail = Render(signal, lang);
        var actual = $"Subject: {mail.Subject}\n\n{mail.Text}\n";
        var path = Path.Combine(SnapshotFolder(), $"{signal.Replace(':', '-')}.{lang}.txt");
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
        {
            File.WriteAllText(path, actual);
        }
        Assert.IsTrue(File.Exists(path), $"no snapshot {path}: run with UPDATE_SNAPSHOTS=1 and read it");
        Assert.AreEqual(File.ReadAllText(path), actual);
        Assert.AreEqual(lang, mail.Language);
        StringAssert.Contains(mail.Html, "https://notify.formapro.fr/u/501.abc", "unsubscribe link in the HTML part");
        StringAssert.Contains(mail.Html, "<a href=", "a link to act on");
        Assert.IsFalse(mail.Html.Contains("<style", StringComparison.Ordinal) || mail.Html.Contains("{{", StringComparison.Ordinal), "inline CSS only, nothing left unrendered");
    }

    [TestMethod]
    [DynamicData(nameof(EverySignalInBothLanguages))]
    public void Every_html_part_is_a_whole_document_with_its_language_charset_and_a_hidden_preheader(string signal, string lang)
    {
        var mail = Render(signal, lang);
        StringAssert.StartsWith(mail.Html, "<!DOCTYPE html>\n<html lang=\"" + lang + "\">");
        StringAssert.Contains(mail.Html, "<meta charset=\"utf-8\">");
        var title = System.Text.RegularExpressions.Regex.Match(mail.Html, "<title>(?<text>[^<]*)</title>").Groups["text"].Value;
        Assert.AreEqual(mail.Subject, System.Net.WebUtility.HtmlDecode(title), "the subject as the document's title");
        StringAssert.EndsWith(mail.Html, "</body>\n</html>");
        var preheader = System.Text.RegularExpressions.Regex.Match(mail.Html, "<div style=\"display:none;[^\"]*\">(?<text>[^<]+)</div>").Groups["text"].Value;
        preheader = System.Net.WebUtility.HtmlDecode(preheader);
        Assert.IsTrue(preheader.Length is > 20 and <= 141, $"a preheader line: '{preheader}'");
        Assert.IsFalse(preheader.StartsWith(lang == "fr" ? "Bonjour" : "Hello", StringComparison.Ordinal), "the line after the greeting, not the greeting");
    }

    [TestMethod]
    public void Numbers_of_days_are_computed_not_written_into_the_text()
    {
        // end3 caught up a day late: two days are left, and the mail says so.
        var late = Render(SignalKeys.End3, "fr", at: End.AddDays(-2).AddHours(9));
        Assert.AreEqual("Plus que 2 jours pour terminer «\u00A0Sécurité au travail\u00A0»", late.Subject);
        StringAssert.Contains(late.Text, "il vous reste 2 jours");

        var lastDay = Render(SignalKeys.End1, "en");
        Assert.AreEqual("Last day to finish \"Sécurité au travail\"", lastDay.Subject);
        StringAssert.Contains(lastDay.Text, "ends on Thursday, 5 March 2026: today is your last day");

        var earlyCall = Render(SignalKeys.FirstCall, "fr", Settings with { FirstCallDays = 3 }, at: Start.AddDays(3).AddHours(9));
        StringAssert.Contains(earlyCall.Text, "a commencé il y a 3 jours");
        var oneDay = Render(SignalKeys.FirstCall, "en", at: Start.AddDays(1).AddHours(9));
        StringAssert.Contains(oneDay.Text, "started 1 day ago");
    }

    [TestMethod]
    public void Values_are_escaped_in_html_and_left_alone_in_text_and_subject()
    {
        var mail = Render(SignalKeys.Welcome, "fr", learner: Learner("fr", "<b>Zoé & Co</b>"));
        StringAssert.Contains(mail.Html, "&lt;b&gt;Zo");
        Assert.IsFalse(mail.Html.Contains("<b>Zo", StringComparison.Ordinal));
        StringAssert.Contains(mail.Text, "Bonjour <b>Zoé & Co</b>,");
        StringAssert.Contains(mail.Subject, "<b>Zoé & Co</b>");
    }

    [TestMethod]
    public void A_course_text_replaces_the_default_and_the_old_plugins_placeholders_work()
    {
        var own = new TemplateText("Bienvenue {{FIRSTNAME}} en {{COURSESHORT}}", null, "Bonjour {{FIRSTNAME}} {{LASTNAME}} ({{USERNAME}}), {{COURSE}} n°{{COURSEID}} sur {{SITENAME}} : {{WWWROOT}} {{CONTACTURL}}");
        var settings = Settings with { Templates = new Dictionary<string, IReadOnlyDictionary<string, TemplateText>> { [SignalKeys.Welcome] = new Dictionary<string, TemplateText> { ["fr"] = own } } };
        var mail = Render(SignalKeys.Welcome, "fr", settings);
        Assert.AreEqual("Bienvenue Jeanne en SST", mail.Subject);
        Assert.AreEqual("Bonjour Jeanne Dupont (jdupont), Sécurité au travail n°12 sur Formapro : https://moodle.formapro.fr https://moodle.formapro.fr/user/contactsitesupport.php", mail.Text);
        StringAssert.Contains(mail.Html, "Commencer la formation", "a part the course leaves out keeps the default");
        Assert.AreEqual("Welcome to \"Sécurité au travail\", Jeanne", Render(SignalKeys.Welcome, "en", settings).Subject, "other languages keep the default");
    }

    [TestMethod]
    public void A_course_html_without_the_layout_is_still_a_whole_document()
    {
        var own = new TemplateText(null, "<p>Bonjour {{firstName}}, à bientôt sur {{siteName}}.</p>", null);
        var settings = Settings with { Templates = new Dictionary<string, IReadOnlyDictionary<string, TemplateText>> { [SignalKeys.Welcome] = new Dictionary<string, TemplateText> { ["fr"] = own } } };
        var mail = Render(SignalKeys.Welcome, "fr", settings, learner: Learner("fr", "<b>Zoé</b>"));
        StringAssert.StartsWith(mail.Html, "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">");
        StringAssert.Contains(mail.Html, "<p>Bonjour &lt;b&gt;Zoé&lt;/b&gt;, à bientôt sur Formapro.</p>\n</body>\n</html>");
        Assert.IsFalse(mail.Html.Contains("<b>Zo", StringComparison.Ordinal), "the subject and preheader in the head are escaped too");
    }

    [TestMethod]
    public void A_course_text_with_an_unknown_placeholder_or_bad_syntax_is_refused_with_where()
    {
        var problems = MailRenderer.Problems(SignalKeys.FirstCall, "fr", new TemplateText("Bonjour {{PRENOM}}", "<p>{{#if endDate}}x</p>", "ligne un\nligne deux {{courseNme}}")).ToList();
        Assert.AreEqual(3, problems.Count, string.Join("\n", problems));
        Assert.AreEqual("firstcall.fr.subject: line 1: unknown placeholder 'PRENOM'", problems[0]);
        StringAssert.StartsWith(problems[1], "firstcall.fr.html: does not compile");
        Assert.AreEqual("firstcall.fr.text: line 2: unknown placeholder 'courseNme'", problems[2]);
        Assert.AreEqual(0, MailRenderer.Problems(SignalKeys.FirstCall, "fr", new TemplateText("{{FIRSTNAME}}, {{daysLeft}} {{plural daysLeft \"jour\" \"jours\"}}", "{{#> layout}}<p>{{courseName}}</p>{{/layout}}", null)).Count());
    }

    private static string SnapshotFolder([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "Snapshots");
}
