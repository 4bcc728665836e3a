using System.Globalization;
using CourseNotification.Enrolments;
using CourseNotification.Questionnaires;
using CourseNotification.Settings;
using CourseNotification.Signals;
using Microsoft.Extensions.Options;

namespace CourseNotification.Templates;

/// <summary>A rendered mail, in one language.</summary>
public sealed record RenderedMail(string Language, string Subject, string Html, string Text);

/// <summary>The questionnaire a mail invites to: its no-login link, its title in the mail's language, until when the link works.</summary>
public sealed record QuestionnaireLink(string Url, string Title, DateTimeOffset ExpiresAt, bool Anonymous);

/// <summary>
/// Everything a template may speak of for one send: the learner, the course, the engine's facts at the
/// instant of sending, and for a campaign's signals the questionnaire link.
/// </summary>
public sealed record MailContext(Course Course, Learner Learner, LearnerFacts Facts, string? UnsubscribeUrl, QuestionnaireLink? Questionnaire = null);

/// <summary>
/// Chooses the learner's language and renders the subject, HTML and text of a signal's mail. Every
/// number of days is computed from the learner's calendar at the instant of sending (docs/signals.md, "Texts tell the truth").
/// </summary>
public sealed class MailRenderer(TemplateCatalog catalog, IOptions<PlatformOptions> platform)
{
    /// <summary>The language a learner's mails (and questionnaire pages) are written in.</summary>
    public string LanguageOf(Learner learner) => Languages.Pick(learner.Lang, platform.Value.DefaultLanguage);

    public RenderedMail Render(string signal, MailContext context)
    {
        var lang = LanguageOf(context.Learner);
        if (!TemplateCatalog.Has(signal, lang))
        {
            throw new InvalidOperationException($"No template for signal '{signal}' in '{lang}'.");
        }
        var model = Model(context, Languages.Culture(lang), platform.Value);
        var own = context.Facts.Settings.Templates.GetValueOrDefault(signal)?.GetValueOrDefault(lang);
        var subject = catalog.Render(signal, lang, MailPart.Subject, model, own?.Subject);
        var text = catalog.Render(signal, lang, MailPart.Text, model, own?.Text);
        // The layout makes the HTML part a whole document (language, charset, title, preheader); a course's
        // own HTML without the layout is wrapped in the same document.
        var preheader = Preheader(text);
        model["mailSubject"] = subject;
        model["preheader"] = preheader;
        var html = catalog.Render(signal, lang, MailPart.Html, model, own?.Html);
        if (!html.StartsWith("<!DOCTYPE", StringComparison.OrdinalIgnoreCase))
        {
            html = Document(lang, subject, preheader, html);
        }
        return new RenderedMail(lang, subject, html, text);
    }

    /// <summary>
    /// A trainer's weekly digest (docs/digest.md), in their language: the same catalog, layout rules,
    /// document and preheader as the learners' mails, with a model of its own (the courses and their lists).
    /// </summary>
    public RenderedMail RenderDigest(Digest.DigestContent content, DateTimeOffset at, string? unsubscribeUrl, string siteName)
    {
        var lang = content.Lang;
        var culture = Languages.Culture(lang);
        object Learners(IReadOnlyList<Digest.DigestLearner> listed) => listed.Select(l => new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["name"] = l.Name,
            ["detail"] = l.Detail,
            ["sent"] = l.Sent.Count > 0 ? string.Join(", ", l.Sent) : null,
        }).ToList();
        var model = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["firstName"] = content.Person.FirstName,
            ["siteName"] = siteName,
            ["unsubscribeUrl"] = unsubscribeUrl,
            ["weekOf"] = Digest.TrainerDigest.WeekOf(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, content.Zone).DateTime)).ToString("D", culture),
            ["hasNews"] = content.HasNews,
            ["courseCount"] = content.Courses.Count,
            ["courses"] = content.Courses.Select(c => new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["courseName"] = c.Course.FullName,
                ["statusUrl"] = c.StatusUrl,
                ["inactivityDays"] = c.InactivityDays,
                ["quiet"] = c.IsEmpty,
                ["neverCame"] = c.NeverCameTotal > 0 ? Learners(c.NeverCame) : null,
                ["neverCameTotal"] = c.NeverCameTotal,
                ["neverCameMore"] = c.NeverCameTotal - c.NeverCame.Count,
                ["inactive"] = c.InactiveTotal > 0 ? Learners(c.Inactive) : null,
                ["inactiveTotal"] = c.InactiveTotal,
                ["inactiveMore"] = c.InactiveTotal - c.Inactive.Count,
                ["endingSoon"] = c.EndingSoonTotal > 0 ? Learners(c.EndingSoon) : null,
                ["endingSoonTotal"] = c.EndingSoonTotal,
                ["endingSoonMore"] = c.EndingSoonTotal - c.EndingSoon.Count,
            }).ToList(),
        };
        var signal = Digest.TrainerDigest.Signal;
        var subject = catalog.Render(signal, lang, MailPart.Subject, model);
        var text = catalog.Render(signal, lang, MailPart.Text, model);
        var preheader = Preheader(text);
        return new RenderedMail(lang, subject, Document(lang, subject, preheader, catalog.Render(signal, lang, MailPart.Html, model)), text);
    }

    private static readonly System.Text.Encodings.Web.HtmlEncoder Encoder = System.Text.Encodings.Web.HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    /// <summary>
    /// The HTML part as a whole document: a viewer that ignores the MIME headers (a saved .html file, a
    /// webmail's raw view) still knows its language and its encoding; the preheader is the line a mail
    /// client shows after the subject in the inbox, hidden in the mail itself.
    /// </summary>
    private static string Document(string lang, string subject, string preheader, string body) => string.Concat(
        "<!DOCTYPE html>\n<html lang=\"", lang, "\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
        Encoder.Encode(subject),
        "</title>\n</head>\n<body style=\"margin:0;padding:0;background:#f3f4f6\">\n<div style=\"display:none;max-height:0;max-width:0;overflow:hidden;opacity:0;mso-hide:all;font-size:1px;line-height:1px;color:#f3f4f6\">",
        Encoder.Encode(preheader),
        "</div>\n",
        body,
        "\n</body>\n</html>");

    /// <summary>The inbox's preview line: the first paragraph of the text part after the greeting, whitespace collapsed, up to about 140 characters.</summary>
    internal static string Preheader(string text)
    {
        const int Longest = 140;
        var span = text.AsSpan().Trim();
        var greeting = span.IndexOf("\n\n", StringComparison.Ordinal);
        if (greeting >= 0 && span[(greeting + 2)..].TrimStart() is { Length: > 0 } rest)
        {
            var end = rest.IndexOf("\n\n", StringComparison.Ordinal);
            span = end >= 0 ? rest[..end] : rest;
        }
        Span<char> line = stackalloc char[Longest];
        var (length, lastSpace, gap) = (0, -1, false);
        foreach (var c in span)
        {
            if (c is ' ' or '\n' or '\r' or '\t')
            {
                gap = length > 0;
                continue;
            }
            if (length + (gap ? 2 : 1) > Longest)
            {
                // Too long: cut at the last whole word.
                return string.Concat(line[..(lastSpace > 0 ? lastSpace : length)], "…");
            }
            if (gap)
            {
                lastSpace = length;
                line[length++] = ' ';
                gap = false;
            }
            line[length++] = c;
        }
        return new string(line[..length]);
    }

    /// <summary>The problems of a course's text for a signal, part by part (null: none), against a complete sample mail.</summary>
    public static IEnumerable<string> Problems(string signal, string lang, TemplateText text, ProblemWords? words = null)
    {
        var sample = SampleModel(lang, QuestionnaireSignals.IsQuestionnaire(signal));
        foreach (var (part, source) in new[] { (MailPart.Subject, text.Subject), (MailPart.Html, text.Html), (MailPart.Text, text.Text) })
        {
            if (source is not null && TemplateCatalog.Problem(source, lang, part, sample, words) is { } problem)
            {
                yield return $"{signal}.{lang}.{part.ToString().ToLowerInvariant()}: {problem}";
            }
        }
    }

    /// <summary>A mail where every placeholder of the signal has a value: what a course's text is checked against.</summary>
    private static Dictionary<string, object?> SampleModel(string lang, bool questionnaire)
    {
        var start = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.FromHours(1));
        var course = new Course { Id = 1, ShortName = "C", FullName = "Course", Url = "https://moodle.example/course/view.php?id=1", StartDate = start, EndDate = start.AddDays(60) };
        var snapshot = new EnrolmentSnapshot
        {
            CourseId = 1,
            LearnerId = 1,
            Enrolments = [new Enrolment { Id = 1, Start = start, End = start.AddDays(60) }],
            FirstAccess = start.AddDays(1),
            LastAccess = start.AddDays(2),
            CompletedAt = start.AddDays(20),
            Profile = new LearnerProfile(lang, "Europe/Paris", false),
        };
        var settings = new SignalSettings { SiteZone = TimeZones.FindOrThrow("Europe/Paris"), LearnerRoles = new HashSet<string>(["student"]) };
        var learner = new Learner { Id = 1, Username = "u", Email = "u@example.org", FirstName = "F", LastName = "L", Lang = lang };
        var facts = new LearnerFacts(course, snapshot, settings, start.AddDays(30));
        var link = questionnaire ? new QuestionnaireLink("https://service.example/q/x", "Questionnaire", start.AddDays(90), Anonymous: true) : null;
        var model = Model(new MailContext(course, learner, facts, "https://service.example/u/1.x", link), Languages.Culture(lang), new PlatformOptions());
        // What the layout's document head shows, set by Render from the subject and text parts.
        model["mailSubject"] = "Subject";
        model["preheader"] = "Preheader";
        return model;
    }

    /// <summary>The Moodle site's links every mail carries, built once per site URL rather than once per mail.</summary>
    private sealed record SiteLinks(string Url, string Root, string ForgotPassword, string Contact)
    {
        private static SiteLinks? _last;

        public static SiteLinks Of(string url)
        {
            var last = _last;
            if (last is not null && ReferenceEquals(last.Url, url))
            {
                return last;
            }
            var root = url.TrimEnd('/');
            return _last = new SiteLinks(url, root, root + "/login/forgot_password.php", root + "/user/contactsitesupport.php");
        }
    }

    /// <summary>Placeholders a mail may hold (the dictionary is sized once).</summary>
    private const int ModelSize = 40;

    /// <summary>
    /// Dates written out ("jeudi 5 mars 2026"): the learners of a course share their start and end days, so
    /// a scan writes each once. Bounded: emptied when it grows past a few thousand days.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(DateOnly Day, CultureInfo Culture), string> DayNames = new();

    internal static Dictionary<string, object?> Model(MailContext context, CultureInfo culture, PlatformOptions options)
    {
        if (DayNames.Count > 4096)
        {
            DayNames.Clear();
        }
        var site = SiteLinks.Of(options.MoodleUrl);
        var moodleUrl = site.Root;
        var (course, learner, facts) = (context.Course, context.Learner, context.Facts);
        var calendar = facts.Calendar;
        var today = calendar.Today;
        string Day(DateOnly day) => DayNames.GetOrAdd((day, culture), static key => key.Day.ToString("D", key.Culture));

        // The last day of access is the local day of the instant just before the end (an end at midnight closes the day before).
        var lastDay = facts.AccessEnd is { } end ? calendar.LocalDate(end.AddTicks(-1)) : (DateOnly?)null;
        var lastAccess = facts.Snapshot.LastAccess ?? facts.Snapshot.FirstAccess;
        var model = new Dictionary<string, object?>(ModelSize, StringComparer.Ordinal)
        {
            ["firstName"] = learner.FirstName,
            ["lastName"] = learner.LastName,
            ["username"] = learner.Username,
            ["courseName"] = course.FullName,
            ["courseShortName"] = course.ShortName,
            ["courseId"] = course.Id,
            ["courseUrl"] = course.Url ?? $"{moodleUrl}/course/view.php?id={course.Id.ToString(CultureInfo.InvariantCulture)}",
            ["siteName"] = options.SiteName,
            ["moodleUrl"] = moodleUrl,
            ["forgotPasswordUrl"] = site.ForgotPassword,
            ["contactUrl"] = site.Contact,
            ["unsubscribeUrl"] = context.UnsubscribeUrl,
            ["startDate"] = facts.WorkStart is null ? null : Day(facts.WorkStartDay),
            ["daysSinceStart"] = facts.WorkStart is null ? null : today.DayNumber - facts.WorkStartDay.DayNumber,
            ["endDate"] = lastDay is { } last ? Day(last) : null,
            ["daysLeft"] = lastDay is { } left ? Math.Max(left.DayNumber - today.DayNumber + 1, 0) : null,
            ["lastDay"] = lastDay is { } final && final <= today,
            ["completedDate"] = facts.IsCompleted ? Day(facts.CompletedDay) : null,
            ["lastAccessDate"] = lastAccess is { } seen ? Day(calendar.LocalDate(seen)) : null,
            ["daysInactive"] = lastAccess is { } idle ? today.DayNumber - calendar.LocalDate(idle).DayNumber : null,
        };
        if (context.Questionnaire is { } questionnaire)
        {
            model["questionnaireUrl"] = questionnaire.Url;
            model["questionnaireTitle"] = questionnaire.Title;
            model["answerByDate"] = Day(calendar.LocalDate(questionnaire.ExpiresAt.AddTicks(-1)));
            model["anonymous"] = questionnaire.Anonymous;
        }
        // The old plugin's placeholders, so administrators can paste their texts.
        model["FIRSTNAME"] = model["firstName"];
        model["LASTNAME"] = model["lastName"];
        model["USERNAME"] = model["username"];
        model["COURSE"] = model["courseName"];
        model["COURSESHORT"] = model["courseShortName"];
        model["COURSEID"] = model["courseId"];
        model["WWWROOT"] = moodleUrl;
        model["SITENAME"] = model["siteName"];
        model["CONTACTURL"] = model["contactUrl"];
        return model;
    }
}
