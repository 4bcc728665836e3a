using System.Globalization;
using CourseNotification.Dispatch;
using CourseNotification.Enrolments;
using CourseNotification.Questionnaires;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;
using CourseNotification.Templates;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CourseNotification.Http;

/// <summary>
/// The settings editor of a course, <c>/courses/{id}/settings</c>: GET shows it, POST previews (button
/// "Preview") or saves (button "Save": checked whole with the API's own rules, nothing saved unless all
/// is right, every problem shown next to its field with the input kept; a save records who made it and
/// when, and only over the settings the page was opened with: a save that came in between is shown, not
/// overwritten). <c>POST /courses/{id}/settings/preview</c> answers the preview as JSON for the page's script
/// (<c>GET /assets/settings-editor.js</c>), which makes the preview follow typing; the page works without it.
/// </summary>
public sealed class SettingsEditorEndpoints(
    CourseStore courses,
    CourseSettingsStore store,
    SnapshotStore snapshots,
    SignalSettingsProvider settingsProvider,
    QuestionnaireCatalog catalog,
    DraftMails drafts,
    IOptions<PlatformOptions> platform,
    TimeProvider clock,
    ILogger<SettingsEditorEndpoints> logger)
{
    /// <summary>The page's policy: its own script and fetches, the mail's images in the sandboxed preview frame, nothing else.</summary>
    public const string EditorPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'";

    public const string ScriptPath = "/assets/settings-editor.js";

    private const long MaxFormBytes = 1024 * 1024;

    /// <summary>Learners offered for the preview, by name (any other by its id in the URL, <c>?learner=</c>).</summary>
    private const int LearnersOffered = 2000;

    public async Task<IResult> GetAsync(long courseId, HttpRequest request, CancellationToken cancellationToken)
    {
        if (await courses.GetAsync(courseId, cancellationToken) is not { } course)
        {
            return Problems.Field(404, "id", $"Course {courseId} is not known here.");
        }
        var (stored, version) = await store.GetVersionedAsync(courseId, cancellationToken);
        var own = stored ?? new CourseSettings();
        var texts = TextsSignal(request.Query["texts"].ToString());
        var lang = CoursePages.Language(request, platform.Value.DefaultLanguage);
        var values = ValuesOf(own, texts);
        values["version"] = version;
        values["previewLearner"] = request.Query["learner"].ToString() is { Length: > 0 } learner ? learner : "sample";
        values["previewLang"] = lang;
        var page = await PageAsync(course, own, texts, values, [], lang, request, cancellationToken);
        page.Saved = request.Query["saved"] == "1";
        page.Preview = await PreviewAsync(course, own, texts, values, lang, cancellationToken);
        return Render(200, page);
    }

    public async Task<IResult> PostAsync(long courseId, HttpRequest request, CancellationToken cancellationToken)
    {
        var (posted, refusal) = await ReadPostedAsync(courseId, request, cancellationToken);
        if (posted is not var (course, own, version, texts, lang, values, draft, problems, save))
        {
            return refusal!;
        }
        var t = EditorTexts.For(lang);
        if (save && problems.Count == 0)
        {
            var change = new SettingsChange(request.HttpContext.DisplayName(), clock.GetUtcNow(), SettingsDiff.Fields(own, draft));
            // The version the page was opened with (a client without it saves over what it just read).
            switch (await store.SaveOverAsync(courseId, draft, values.GetValueOrDefault("version") ?? version, change, cancellationToken))
            {
                case SettingsSaved.Saved:
                    settingsProvider.Forget(courseId);
                    logger.LogInformation("Settings of course {CourseId} changed in the editor ({Fields} fields)", courseId, change.Fields.Count);
                    var query = CoursePages.Carried(request, ("texts", texts), ("saved", "1"), ("learner", values.GetValueOrDefault("previewLearner") ?? ""));
                    return Results.Redirect($"/courses/{courseId}/settings{query}", permanent: false, preserveMethod: false);
                case SettingsSaved.TooLarge:
                    problems.Add(new FieldProblem("", string.Format(CultureInfo.InvariantCulture, t.TooLarge, LongText.MaxChars)));
                    break;
                case SettingsSaved.ChangedMeanwhile:
                    // Said with who and what; the page now carries the version that is stored, so saving again replaces it knowingly.
                    problems.Add(new FieldProblem("", await ChangedMeanwhileAsync(courseId, t, cancellationToken)));
                    values["version"] = (await store.GetVersionedAsync(courseId, cancellationToken)).Version;
                    break;
            }
        }
        var page = await PageAsync(course, own, texts, values, problems, lang, request, cancellationToken);
        page.Attempted = save;
        page.Preview = await PreviewAsync(course, draft, texts, values, lang, cancellationToken);
        return Render(save ? 422 : 200, page);
    }

    /// <summary>POST /courses/{id}/settings/preview: the preview of the form as it stands, and its problems, as JSON (the page's script).</summary>
    public async Task<IResult> PostPreviewAsync(long courseId, HttpRequest request, CancellationToken cancellationToken)
    {
        var (posted, refusal) = await ReadPostedAsync(courseId, request, cancellationToken);
        if (posted is not var (course, _, _, texts, lang, values, draft, problems, _))
        {
            return refusal!;
        }
        var preview = await PreviewAsync(course, draft, texts, values, lang, cancellationToken);
        return Results.Ok(new
        {
            problems = problems.Select(p => new { field = p.Id, message = p.Message }),
            preview = preview.Mail is { } m ? new
            {
                language = m.Mail.Language, subject = m.Mail.Subject, html = m.Mail.Html, text = m.Mail.Text,
                about = SettingsEditorPage.About(m, texts, EditorTexts.For(lang)),
            } : null,
            previewProblems = preview.Problems,
        });
    }

    /// <summary>GET /assets/settings-editor.js: the editor's script (no inline script under the pages' policy).</summary>
    public static IResult GetScript()
    {
        using var stream = typeof(SettingsEditorEndpoints).Assembly.GetManifestResourceStream("CourseNotification.Http.settings-editor.js")!;
        using var reader = new StreamReader(stream);
        return Results.Text(reader.ReadToEnd(), "text/javascript; charset=utf-8");
    }

    /// <summary>
    /// The editor's form as posted: the course, its own settings as stored now and their version, the
    /// interface language, the draft the form makes of them and every problem (the save's checks included).
    /// </summary>
    private sealed record PostedForm(
        Course Course, CourseSettings Own, string Version, string Texts, string Lang, Dictionary<string, string> Values, CourseSettings Draft, List<FieldProblem> Problems, bool Save);

    /// <summary>Reads the posted form of a known course into a checked draft, or the refusal (404 course, 400 body).</summary>
    private async Task<(PostedForm? Posted, IResult? Refusal)> ReadPostedAsync(long courseId, HttpRequest request, CancellationToken cancellationToken)
    {
        if (await courses.GetAsync(courseId, cancellationToken) is not { } course)
        {
            return (null, Problems.Field(404, "id", $"Course {courseId} is not known here."));
        }
        if (await FormBody.TryReadAsync(request, MaxFormBytes, cancellationToken) is not { } form)
        {
            return (null, Problems.Field(400, "body", $"The body must be the editor's form, at most {MaxFormBytes} bytes."));
        }
        var (stored, version) = await store.GetVersionedAsync(courseId, cancellationToken);
        var own = stored ?? new CourseSettings();
        var texts = TextsSignal(form["texts"].ToString());
        var lang = CoursePages.Language(request, platform.Value.DefaultLanguage);
        var values = form.ToDictionary(f => f.Key, f => f.Value.ToString().Replace("\r\n", "\n", StringComparison.Ordinal), StringComparer.Ordinal);
        var (draft, problems) = DraftOf(own, texts, values, EditorTexts.For(lang));
        problems.AddRange(await ValidationAsync(draft, texts, ProblemWords.For(lang), cancellationToken));
        return (new PostedForm(course, own, version, texts, lang, values, draft, problems, form["action"] == "save"), null);
    }

    /// <summary>The signal whose texts the editor shows (the welcome unless another is named; campaigns' texts go through the API).</summary>
    private static string TextsSignal(string given) => SignalKeys.IndexOf(given) >= 0 ? given : SignalKeys.Welcome;

    /// <summary>The form's values from stored settings: a text not replaced shows the default, which saving leaves as the default.</summary>
    private static Dictionary<string, string> ValuesOf(CourseSettings own, string texts)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["texts"] = texts,
            ["courseEndClosesAccess"] = Tri(own.CourseEndClosesAccess),
            ["welcomeEvenIfAccessed"] = Tri(own.WelcomeEvenIfAccessed),
            ["firstCallDays"] = Number(own.FirstCallDays),
            ["secondCallDays"] = Number(own.SecondCallDays),
            ["inactivityDays"] = Number(own.InactivityDays),
            ["inactivityRepeatDays"] = Number(own.InactivityRepeatDays),
            ["inactivityMaxRepeats"] = Number(own.InactivityMaxRepeats),
        };
        if (own.Enabled != false)
        {
            values["enabled"] = "on";
        }
        foreach (var signal in SignalKeys.All)
        {
            values[$"signal.{signal}"] = own.Signals?.TryGetValue(signal, out var on) == true ? Tri(on) : "";
        }
        foreach (var lang in Languages.Supported)
        {
            var text = own.Templates?.GetValueOrDefault(texts)?.GetValueOrDefault(lang);
            foreach (var part in Enum.GetValues<MailPart>())
            {
                var ownPart = part switch { MailPart.Subject => text?.Subject, MailPart.Html => text?.Html, _ => text?.Text };
                values[PartName(lang, part)] = ownPart ?? TemplateCatalog.DefaultSource(texts, lang, part).TrimEnd();
            }
        }
        return values;

        static string Tri(bool? value) => value switch { true => "true", false => "false", null => "" };
        static string Number(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";
    }

    internal static string PartName(string lang, MailPart part) => $"{lang}.{part.ToString().ToLowerInvariant()}";

    /// <summary>The settings the form describes: the stored ones with the form's values; what cannot be read is a problem of its field.</summary>
    private static (CourseSettings Draft, List<FieldProblem> Problems) DraftOf(CourseSettings own, string texts, Dictionary<string, string> values, EditorTexts t)
    {
        var problems = new List<FieldProblem>();
        bool? Tri(string name) => values.GetValueOrDefault(name) switch { "true" => true, "false" => false, _ => null };
        int? Number(string name)
        {
            var text = values.GetValueOrDefault(name)?.Trim() ?? "";
            if (text.Length == 0)
            {
                return null;
            }
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
            {
                return number;
            }
            problems.Add(new FieldProblem(name, string.Format(CultureInfo.InvariantCulture, t.NotWholeNumber, text)));
            return null;
        }

        var switches = SignalKeys.All.Select(s => (s, Tri($"signal.{s}"))).Where(s => s.Item2 is not null).ToDictionary(s => s.s, s => s.Item2!.Value, StringComparer.Ordinal);
        var templates = (own.Templates ?? new Dictionary<string, IReadOnlyDictionary<string, TemplateText>>())
            .Where(t => t.Key != texts).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        var languages = new Dictionary<string, TemplateText>(StringComparer.Ordinal);
        foreach (var lang in Languages.Supported)
        {
            string? Part(MailPart part)
            {
                var text = values.GetValueOrDefault(PartName(lang, part)) ?? "";
                // Empty, or the default as shown: the default (which later versions of the service may improve).
                return text.Trim().Length == 0 || text.TrimEnd() == TemplateCatalog.DefaultSource(texts, lang, part).TrimEnd() ? null : text;
            }
            var parts = new TemplateText(Part(MailPart.Subject), Part(MailPart.Html), Part(MailPart.Text));
            if (parts is not { Subject: null, Html: null, Text: null })
            {
                languages[lang] = parts;
            }
        }
        if (languages.Count > 0)
        {
            templates[texts] = languages;
        }
        var draft = own with
        {
            // Checked keeps the course on the platform's word (on unless switched off here).
            Enabled = values.ContainsKey("enabled") ? (own.Enabled == true ? true : null) : false,
            CourseEndClosesAccess = Tri("courseEndClosesAccess"),
            WelcomeEvenIfAccessed = Tri("welcomeEvenIfAccessed"),
            FirstCallDays = Number("firstCallDays"),
            SecondCallDays = Number("secondCallDays"),
            InactivityDays = Number("inactivityDays"),
            InactivityRepeatDays = Number("inactivityRepeatDays"),
            InactivityMaxRepeats = Number("inactivityMaxRepeats"),
            Signals = switches.Count == 0 ? null : switches,
            Templates = templates.Count == 0 ? null : templates,
        };
        return (draft, problems);
    }

    /// <summary>The API's own checks (<c>PUT /api/courses/{id}/settings</c>), in the editor's language, each problem placed on the editor's field.</summary>
    private async Task<IEnumerable<FieldProblem>> ValidationAsync(CourseSettings draft, string texts, ProblemWords words, CancellationToken cancellationToken)
    {
        var questionnaires = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in (draft.Campaigns ?? []).Select(c => c?.Questionnaire).OfType<string>().Distinct())
        {
            if (await catalog.GetAsync(id, cancellationToken) is not null)
            {
                questionnaires.Add(id);
            }
        }
        return AdminEndpoints.ProblemsOf(draft, questionnaires.Contains, words).Select(p => Place(p.Field, p.Message, texts)).ToList();
    }

    private static FieldProblem Place(string field, string message, string texts)
    {
        if (field.StartsWith("templates.", StringComparison.Ordinal))
        {
            // "templates.welcome.fr" with "welcome.fr.subject: line 1: ..." names its part.
            var colon = message.IndexOf(": ", StringComparison.Ordinal);
            var parts = colon > 0 ? message[..colon].Split('.') : [];
            if (parts.Length == 3 && parts[0] == texts)
            {
                return new FieldProblem($"{parts[1]}.{parts[2]}", message[(colon + 2)..]);
            }
            return new FieldProblem("", $"{field}: {message}");
        }
        if (field.StartsWith("signals.", StringComparison.Ordinal))
        {
            return new FieldProblem("signal." + field["signals.".Length..], message);
        }
        return field is "firstCallDays" or "secondCallDays" or "inactivityDays" or "inactivityRepeatDays" or "inactivityMaxRepeats"
            ? new FieldProblem(field, message)
            : new FieldProblem("", $"{field}: {message}");
    }

    private async Task<(DraftMail? Mail, IReadOnlyList<string> Problems)> PreviewAsync(
        Course course, CourseSettings settings, string texts, Dictionary<string, string> values, string lang, CancellationToken cancellationToken)
    {
        long? learner = long.TryParse(values.GetValueOrDefault("previewLearner"), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
        var sampleLang = Languages.Supported.Contains(values.GetValueOrDefault("previewLang") ?? "") ? values["previewLang"] : platform.Value.DefaultLanguage;
        try
        {
            return await drafts.PreviewAsync(course, settings, texts, learner, sampleLang, clock.GetUtcNow(), ProblemWords.For(lang), cancellationToken);
        }
        catch (HandlebarsDotNet.HandlebarsException e)
        {
            // A text that the checks let through but that fails on this learner's data.
            return (null, [e.Message]);
        }
    }

    private async Task<SettingsEditorPage> PageAsync(
        Course course, CourseSettings own, string texts, Dictionary<string, string> values, List<FieldProblem> problems, string lang, HttpRequest request, CancellationToken cancellationToken)
    {
        var learners = (await snapshots.PeopleAsync(course.Id, cancellationToken))
            .Select(p => (Id: p.LearnerId, Name: p.FirstName.Length + p.LastName.Length > 0 ? $"{p.LastName} {p.FirstName}".Trim() : $"#{p.LearnerId}"))
            .OrderBy(p => p.Name, NameOrder)
            .Take(LearnersOffered)
            .ToList();
        return new SettingsEditorPage
        {
            Course = course,
            Texts = texts,
            Values = values,
            Problems = problems,
            Platform = settingsProvider.Platform,
            Effective = settingsProvider.Platform.For(own),
            Changes = await store.GetChangesAsync(course.Id, cancellationToken),
            Learners = learners,
            Lang = lang,
            T = EditorTexts.For(lang),
            SiteName = platform.Value.SiteName,
            Query = CoursePages.Carried(request),
        };
    }

    /// <summary>What the editor says when another save came after the page was opened: who, when, which fields.</summary>
    private async Task<string> ChangedMeanwhileAsync(long courseId, EditorTexts t, CancellationToken cancellationToken)
    {
        var changes = await store.GetChangesAsync(courseId, cancellationToken);
        var latest = changes.Count > 0 ? changes[0] : null;
        return string.Format(CultureInfo.InvariantCulture, t.ChangedMeanwhile, latest?.By ?? "?",
            latest is null ? "?" : CoursePages.Minute(latest.At),
            latest is null || latest.Fields.Count == 0 ? t.NothingChanged : string.Join(", ", latest.Fields));
    }

    private static readonly StringComparer NameOrder = StringComparer.Create(CultureInfo.InvariantCulture, CompareOptions.IgnoreCase | CompareOptions.IgnoreNonSpace);

    private static IResult Render(int status, SettingsEditorPage page) =>
        SecurityHeaders.WithPolicy(Results.Content(page.Html(), "text/html; charset=utf-8", statusCode: status), EditorPolicy);
}

/// <summary>A problem of the editor's form: the field's name (empty: the whole form) and what is wrong.</summary>
public sealed record FieldProblem(string Id, string Message);
