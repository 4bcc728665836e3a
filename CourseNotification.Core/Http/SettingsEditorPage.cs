using System.Globalization;
using System.Text;
using CourseNotification.Dispatch;
using CourseNotification.Enrolments;
using CourseNotification.Signals;
using CourseNotification.Storage;
using CourseNotification.Templates;
using Microsoft.AspNetCore.Http;

namespace CourseNotification.Http;

/// <summary>
/// The settings editor's HTML: phones first (one column at 360 px), every field with its label, groups
/// in fieldsets with legends, each problem next to its field (and listed at the top, linking to it), the
/// input kept; the preview's mail in a sandboxed frame. Written in French or English (<see cref="EditorTexts"/>).
/// </summary>
internal sealed class SettingsEditorPage
{
    public required Course Course { get; init; }
    public required string Texts { get; init; }
    public required IReadOnlyDictionary<string, string> Values { get; init; }
    public required IReadOnlyList<FieldProblem> Problems { get; init; }
    public required SignalSettings Platform { get; init; }
    public required SignalSettings Effective { get; init; }
    public required IReadOnlyList<SettingsChange> Changes { get; init; }
    public required IReadOnlyList<(long Id, string Name)> Learners { get; init; }
    public required string Lang { get; init; }
    public required EditorTexts T { get; init; }
    public required string SiteName { get; init; }
    /// <summary>The query links and forms carry (function key, interface language), with its "?", or empty.</summary>
    public required string Query { get; init; }
    public bool Saved { get; set; }
    public bool Attempted { get; set; }
    public (DraftMail? Mail, IReadOnlyList<string> Problems) Preview { get; set; }

    /// <summary>Placeholders every built-in signal's mail knows, then the old plugin's (<c>{{FIRSTNAME}}</c>), accepted as well.</summary>
    internal static readonly string[] Placeholders =
    [
        "firstName", "lastName", "username", "courseName", "courseShortName", "courseId", "courseUrl", "siteName", "moodleUrl",
        "forgotPasswordUrl", "contactUrl", "unsubscribeUrl", "startDate", "daysSinceStart", "endDate", "daysLeft", "lastDay",
        "completedDate", "lastAccessDate", "daysInactive",
    ];

    internal static readonly string[] OldPlaceholders = ["FIRSTNAME", "LASTNAME", "USERNAME", "COURSE", "COURSESHORT", "COURSEID", "WWWROOT", "SITENAME", "CONTACTURL"];

    private static string E(string? text) => LearnerPage.Encoder.Encode(text ?? "");

    private string Value(string name) => Values.GetValueOrDefault(name) ?? "";

    private IEnumerable<FieldProblem> ProblemsOf(string id) => Problems.Where(p => p.Id == id);

    /// <summary>The id of a field's element (names hold dots: <c>fr.subject</c> -> <c>f-fr-subject</c>).</summary>
    private static string IdOf(string name) => "f-" + name.Replace('.', '-');

    /// <summary>aria attributes and the message shown under a field when it has problems.</summary>
    private (string Attributes, string Messages) Errors(string name, string? hint = null)
    {
        var problems = ProblemsOf(name).ToList();
        var hintId = hint is null ? null : IdOf(name) + "-hint";
        var describedBy = string.Join(' ', new[] { hintId, problems.Count > 0 ? IdOf(name) + "-error" : null }.OfType<string>());
        var attributes = (describedBy.Length > 0 ? $" aria-describedby=\"{describedBy}\"" : "") + (problems.Count > 0 ? " aria-invalid=\"true\"" : "");
        var messages = (hint is null ? "" : $"<span class=\"hint\" id=\"{hintId}\">{E(hint)}</span>")
            + $"<span class=\"error\" id=\"{IdOf(name)}-error\" data-error-for=\"{E(name)}\">{E(string.Join(" ", problems.Select(p => p.Message)))}</span>";
        return (attributes, messages);
    }

    public string Html()
    {
        var t = T;
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <!doctype html><html lang="{Lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{E(t.Title)} – {E(Course.FullName)}</title><style>{Style}</style></head><body><main>
            <p class="site">{E(SiteName)}</p>
            <h1>{E(t.Title)} <span class="course">{E(Course.FullName)}</span></h1>
            <nav aria-label="{E(t.Links)}"><a href="/courses/{Course.Id}/status{E(Query)}">{E(t.Pages.BackToStatus)}</a> · <a href="/courses/{Course.Id}/settings{E(SwitchLanguage())}" lang="{(Lang == "fr" ? "en" : "fr")}">{E(t.OtherLanguage)}</a></nav>
            """);
        if (Saved)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"saved\" role=\"status\">{E(t.Saved)}</p>");
        }
        if (Problems.Count > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"summary\" role=\"alert\" tabindex=\"-1\" id=\"problems\"><h2>{E(Attempted ? string.Format(CultureInfo.InvariantCulture, t.NotSaved, Problems.Count) : string.Format(CultureInfo.InvariantCulture, t.ProblemsFound, Problems.Count))}</h2><ul>");
            foreach (var problem in Problems)
            {
                html.Append(problem.Id.Length > 0
                    ? $"<li><a href=\"#{IdOf(problem.Id)}\">{E(t.Label(problem.Id))}</a>{t.Pages.Colon}{E(problem.Message)}</li>"
                    : $"<li>{E(problem.Message)}</li>");
            }
            html.Append("</ul></div>");
        }
        var action = $"/courses/{Course.Id}/settings{Query}";
        var preview = $"/courses/{Course.Id}/settings/preview{Query}";
        html.Append(CultureInfo.InvariantCulture, $"""
            <form method="post" action="{E(action)}" id="settings-form" data-preview="{E(preview)}" data-insert-label="{E(t.Insert)}" novalidate>
            <input type="hidden" name="texts" value="{E(Texts)}"><input type="hidden" name="version" value="{E(Value("version"))}">
            <fieldset><legend>{E(t.General)}</legend>
            <p>{E(t.PlatformSwitch)}{t.Pages.Colon}<strong>{E(Platform.PlatformEnabled ? t.On : t.Off)}</strong> <span class="hint">({E(t.PlatformSwitchHint)})</span></p>
            <p class="check"><input type="checkbox" id="f-enabled" name="enabled"{(Values.ContainsKey("enabled") ? " checked" : "")}> <label for="f-enabled">{E(t.CourseSwitch)}</label></p>
            {Select("courseEndClosesAccess", t.Label("courseEndClosesAccess"), Platform.CourseEndClosesAccess)}
            </fieldset>
            <fieldset><legend>{E(t.Signals)}</legend><p class="hint">{E(t.SignalsHint)}</p>
            """);
        foreach (var signal in SignalKeys.All)
        {
            html.Append(CultureInfo.InvariantCulture, $"<fieldset class=\"signal\"><legend>{E(t.SignalName(signal))} <code>{signal}</code></legend>");
            html.Append(Select($"signal.{signal}", t.Switch, Platform.IsEnabled(signal)));
            switch (signal)
            {
                case SignalKeys.Welcome:
                    html.Append(Select("welcomeEvenIfAccessed", t.Label("welcomeEvenIfAccessed"), Platform.WelcomeEvenIfAccessed));
                    break;
                case SignalKeys.FirstCall:
                    html.Append(Days("firstCallDays", Platform.FirstCallDays));
                    break;
                case SignalKeys.SecondCall:
                    html.Append(Days("secondCallDays", Platform.SecondCallDays));
                    break;
                case SignalKeys.Inactive:
                    html.Append(Days("inactivityDays", Platform.InactivityDays));
                    html.Append(Days("inactivityRepeatDays", Platform.InactivityRepeatDays));
                    html.Append(Days("inactivityMaxRepeats", Platform.InactivityMaxRepeats));
                    break;
            }
            html.Append(CultureInfo.InvariantCulture, $" <a class=\"texts\" href=\"/courses/{Course.Id}/settings{E(TextsLink(signal))}\"{(signal == Texts ? " aria-current=\"page\"" : "")}>{E(t.EditTexts)}</a></fieldset>");
        }
        html.Append("</fieldset>");

        html.Append(CultureInfo.InvariantCulture, $"""
            <fieldset id="texts"><legend>{E(string.Format(CultureInfo.InvariantCulture, t.TextsOf, t.SignalName(Texts)))}</legend>
            <p class="hint">{E(t.TextsHint)}</p>
            <div class="placeholders"><p id="ph-title">{E(t.PlaceholdersTitle)}</p><ul aria-labelledby="ph-title">{string.Concat(Placeholders.Select(p => $"<li><code data-placeholder>{{{{{p}}}}}</code></li>"))}</ul>
            <p class="hint">{E(t.OldPlaceholders)} {string.Concat(OldPlaceholders.Select(p => $"<code data-placeholder>{{{{{p}}}}}</code> "))}</p></div>
            """);
        foreach (var lang in Languages.Supported)
        {
            html.Append(CultureInfo.InvariantCulture, $"<fieldset class=\"lang\" lang=\"{lang}\"><legend>{E(t.LanguageName(lang))}</legend>");
            foreach (var part in Enum.GetValues<MailPart>())
            {
                var name = SettingsEditorEndpoints.PartName(lang, part);
                var (attributes, messages) = Errors(name);
                var label = $"<label for=\"{IdOf(name)}\">{E(t.PartName(part))} ({lang})</label>";
                html.Append(part == MailPart.Subject
                    ? $"<div class=\"field\">{label}<input type=\"text\" id=\"{IdOf(name)}\" name=\"{name}\" value=\"{E(Value(name))}\" data-template{attributes}>{messages}</div>"
                    : $"<div class=\"field\">{label}<textarea id=\"{IdOf(name)}\" name=\"{name}\" rows=\"{(part == MailPart.Html ? 10 : 8)}\" data-template spellcheck=\"true\"{attributes}>{E(Value(name))}</textarea>{messages}</div>");
            }
            html.Append("</fieldset>");
        }
        html.Append("</fieldset>");

        var chosen = Value("previewLearner");
        html.Append(CultureInfo.InvariantCulture, $"""
            <fieldset id="preview"><legend>{E(t.Preview)}</legend>
            <div class="field"><label for="f-previewLearner">{E(t.PreviewLearner)}</label><select id="f-previewLearner" name="previewLearner">
            <option value="sample"{(chosen is "sample" or "" ? " selected" : "")}>{E(t.SampleLearner)}</option>
            {string.Concat(Learners.Select(l => $"<option value=\"{l.Id}\"{(chosen == l.Id.ToString(CultureInfo.InvariantCulture) ? " selected" : "")}>{E(l.Name)}</option>"))}
            </select></div>
            <div class="field"><label for="f-previewLang">{E(t.PreviewLanguage)}</label><select id="f-previewLang" name="previewLang">
            {string.Concat(Languages.Supported.Select(l => $"<option value=\"{l}\"{(Value("previewLang") == l ? " selected" : "")}>{E(t.LanguageName(l))}</option>"))}
            </select><span class="hint">{E(t.PreviewLanguageHint)}</span></div>
            <p><button type="submit" name="action" value="preview" class="secondary">{E(t.PreviewButton)}</button></p>
            <div id="preview-out" aria-live="polite">{PreviewHtml()}</div>
            </fieldset>
            <p class="actions"><button type="submit" name="action" value="save">{E(t.Save)}</button></p>
            </form>
            <section aria-labelledby="changes-title"><h2 id="changes-title">{E(t.Changes)}</h2>
            """);
        if (Changes.Count == 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>{E(t.NoChanges)}</p>");
        }
        else
        {
            html.Append("<ul class=\"changes\">");
            foreach (var change in Changes)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li><strong>{E(change.By)}</strong>, {E(CoursePages.Minute(change.At))} UTC{t.Pages.Colon}{E(change.Fields.Count == 0 ? t.NothingChanged : string.Join(", ", change.Fields))}</li>");
            }
            html.Append("</ul>");
        }
        html.Append(CultureInfo.InvariantCulture, $"</section></main><script src=\"{SettingsEditorEndpoints.ScriptPath}\" defer></script></body></html>");
        return html.ToString();
    }

    private string PreviewHtml()
    {
        var t = T;
        if (Preview.Mail is not { } mail)
        {
            return $"<p class=\"error\" id=\"preview-problems\">{E(t.NoPreview)} {E(string.Join(" ", Preview.Problems))}</p>"
                + "<h3>" + E(t.Pages.Subject) + "</h3><p id=\"preview-subject\"></p><iframe id=\"preview-html\" title=\"" + E(t.Pages.HtmlPart) + "\" sandbox=\"\" srcdoc=\"\"></iframe><h3>" + E(t.Pages.TextPart) + "</h3><pre id=\"preview-text\"></pre>";
        }
        return $"""
            <p class="error" id="preview-problems"></p>
            <p id="preview-about">{E(About(mail, Texts, t))}</p>
            <h3>{E(t.Pages.Subject)}</h3><p id="preview-subject">{E(mail.Mail.Subject)}</p>
            <iframe id="preview-html" title="{E(t.Pages.HtmlPart)}" sandbox="" srcdoc="{E(mail.Mail.Html)}"></iframe>
            <h3>{E(t.Pages.TextPart)}</h3><pre id="preview-text">{E(mail.Mail.Text)}</pre>
            """;
    }

    /// <summary>"Mail of Camille Martin (sample learner), in French, as it would go out now; the engine says: due."</summary>
    internal static string About(DraftMail mail, string signal, EditorTexts t) =>
        string.Format(CultureInfo.InvariantCulture, t.About, t.SignalName(signal), mail.LearnerName + (mail.Sample ? $" ({t.SampleLearnerShort})" : ""), t.LanguageName(mail.Mail.Language))
        + (mail.Decision is { } d ? " " + string.Format(CultureInfo.InvariantCulture, t.Decision, t.Pages.StateName(d.State), t.Pages.Reason(d.Reason)) : "");

    private string Select(string name, string label, bool platformValue)
    {
        var value = Value(name);
        var (attributes, messages) = Errors(name);
        var t = T;
        return $"""
            <div class="field"><label for="{IdOf(name)}">{E(label)}</label><select id="{IdOf(name)}" name="{name}"{attributes}>
            <option value=""{(value.Length == 0 ? " selected" : "")}>{E(string.Format(CultureInfo.InvariantCulture, t.Default, platformValue ? t.On : t.Off))}</option>
            <option value="true"{(value == "true" ? " selected" : "")}>{E(t.On)}</option>
            <option value="false"{(value == "false" ? " selected" : "")}>{E(t.Off)}</option>
            </select>{messages}</div>
            """;
    }

    private string Days(string name, int platformValue)
    {
        var (attributes, messages) = Errors(name, string.Format(CultureInfo.InvariantCulture, T.DaysHint, platformValue));
        return $"<div class=\"field\"><label for=\"{IdOf(name)}\">{E(T.Label(name))}</label><input type=\"text\" inputmode=\"numeric\" id=\"{IdOf(name)}\" name=\"{name}\" value=\"{E(Value(name))}\" size=\"5\"{attributes}>{messages}</div>";
    }

    private string TextsLink(string signal) => Query.Length == 0 ? $"?texts={signal}#texts" : $"{Query}&texts={signal}#texts";

    private string SwitchLanguage()
    {
        var other = Lang == "fr" ? "en" : "fr";
        var kept = Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith("lang=", StringComparison.Ordinal)).Append($"lang={other}").Append($"texts={Texts}");
        return "?" + string.Join('&', kept);
    }

    /// <summary>One column on a phone; text at 4.5:1 contrast or more; visible focus; targets of 44 px.</summary>
    private const string Style = """
        *{box-sizing:border-box}
        body{margin:0;padding:16px 8px;background:#f3f4f6;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1f2937}
        main{max-width:980px;margin:0 auto;background:#fff;border-radius:8px;padding:16px 12px}
        h1{font-size:1.4em;margin:0 0 8px}.course{display:block;font-size:.8em;color:#374151}
        h2{font-size:1.15em}h3{font-size:1em;margin:12px 0 4px}
        .site{color:#4b5563;font-size:.85em;margin:0 0 8px}
        a{color:#1d4ed8}
        fieldset{min-width:0;border:1px solid #d1d5db;border-radius:6px;margin:16px 0;padding:8px 12px 12px}
        legend{font-weight:bold;padding:0 4px}
        fieldset.signal{border:0;border-top:1px solid #e5e7eb;border-radius:0;margin:0;padding:8px 0}
        fieldset.signal legend{padding:0}
        .field{margin:8px 0}
        .field label{display:block;font-weight:bold;margin:0 0 2px}
        .check{display:flex;align-items:center;gap:8px}
        input[type=checkbox]{width:22px;height:22px;margin:0}
        input[type=text],textarea,select{font:inherit;max-width:100%;padding:8px;border:1px solid #6b7280;border-radius:6px;background:#fff;color:#1f2937}
        input[type=text][data-template],textarea{width:100%}
        textarea{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:14px}
        select{min-height:44px}
        button{font:inherit;min-height:44px;background:#1d4ed8;color:#fff;border:0;border-radius:6px;padding:10px 20px;cursor:pointer}
        button.secondary{background:#fff;color:#1d4ed8;border:2px solid #1d4ed8}
        button.ph{min-height:36px;padding:4px 8px;background:#eef2ff;color:#1e3a8a;border:1px solid #6366f1;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:14px}
        :focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
        .hint{display:block;color:#4b5563;font-size:.9em}
        .error{display:block;color:#b91c1c;font-weight:bold}
        .error:empty{display:none}
        [aria-invalid=true]{border:2px solid #b91c1c}
        .summary{border:2px solid #b91c1c;border-radius:6px;padding:8px 12px;margin:12px 0}
        .summary h2{margin:0;color:#b91c1c}
        .saved{background:#dcfce7;border:1px solid #15803d;border-radius:6px;padding:8px 12px;color:#14532d}
        .placeholders ul{display:flex;flex-wrap:wrap;gap:6px;list-style:none;margin:4px 0;padding:0}
        .placeholders code{overflow-wrap:anywhere}
        .lang{background:#fafafa}
        #preview-out iframe{width:100%;height:480px;border:1px solid #d1d5db;border-radius:6px;background:#fff}
        #preview-out pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f9fafb;padding:8px;border-radius:6px}
        .actions{position:sticky;bottom:0;background:#fff;padding:8px 0;margin:0;border-top:1px solid #e5e7eb}
        .changes{padding-left:20px}
        @media (min-width:760px){fieldset.signal{display:flex;flex-wrap:wrap;gap:0 16px;align-items:flex-end}fieldset.signal legend{float:left;width:100%}}
        """;
}
