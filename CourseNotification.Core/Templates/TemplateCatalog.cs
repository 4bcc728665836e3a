using System.Collections.Concurrent;
using System.Globalization;
using HandlebarsDotNet;
using HandlebarsDotNet.Compiler;
using CourseNotification.Questionnaires;
using CourseNotification.Settings;
using CourseNotification.Signals;

namespace CourseNotification.Templates;

/// <summary>The three parts of a mail, each a template.</summary>
public enum MailPart
{
    Subject,
    Html,
    Text,
}

/// <summary>
/// The default templates shipped in the assembly (Templates/Defaults/{lang}/{signal}.{part}.hbs), each
/// compiled once on first use and cached. HTML parts escape values and share a layout and a button
/// partial; subject and text do not escape, and text parts share a footer. The end reminders share one
/// default (<c>end</c>) that states the computed number of days. A <c>plural</c> helper picks the word:
/// <c>{{plural n "jour" "jours"}}</c>.
/// </summary>
public sealed class TemplateCatalog
{
    private const string ResourcePrefix = "CourseNotification.Templates.Defaults.";
    private readonly ConcurrentDictionary<(string Lang, bool Html), IHandlebars> _environments = new();
    private readonly ConcurrentDictionary<(string Template, string Lang, MailPart Part), HandlebarsTemplate<object, object>> _compiled = new();
    private readonly ConcurrentDictionary<(string Source, string Lang, MailPart Part), HandlebarsTemplate<object, object>> _overrides = new();

    /// <summary>
    /// The default template a signal uses: its own, or its family's (end15..end1 -> end; a campaign's
    /// invitation -> questionnaire, its reminders -> questionnaire-reminder).
    /// </summary>
    public static string DefaultTemplateOf(string signal) =>
        SignalKeys.EndReminders.Any(e => e.Signal == signal) ? "end"
        : QuestionnaireSignals.Parse(signal) is { } questionnaire ? (questionnaire.Reminder == 0 ? "questionnaire" : "questionnaire-reminder")
        : signal;

    public static bool Has(string signal, string lang) =>
        Resource(lang + "/" + DefaultTemplateOf(signal) + ".subject.hbs") is not null;

    /// <summary>The course texts kept compiled at most (a settings editor's live preview compiles a new text at every pause in typing).</summary>
    private const int MostOverrides = 2048;

    /// <summary>Renders a part: the course's own text when given (compiled once per distinct text), the default otherwise.</summary>
    public string Render(string signal, string lang, MailPart part, object model, string? courseText = null)
    {
        if (courseText is not null && _overrides.Count > MostOverrides)
        {
            _overrides.Clear();
        }
        return (courseText is null
            ? _compiled.GetOrAdd((DefaultTemplateOf(signal), lang, part), Compile)
            : _overrides.GetOrAdd((courseText, lang, part), key => Environment(key.Lang, key.Part == MailPart.Html).Compile(key.Source)))(model).Trim();
    }

    /// <summary>The shipped text of a signal's part in a language (what a course's own text replaces).</summary>
    public static string DefaultSource(string signal, string lang, MailPart part) =>
        Resource($"{lang}/{DefaultTemplateOf(signal)}.{part.ToString().ToLowerInvariant()}.hbs")
            ?? throw new InvalidOperationException($"No default template for {signal} ({part}) in '{lang}'.");

    /// <summary>
    /// What is wrong with a course's text, checked when it is saved (never at send time): a template that
    /// does not compile, with its position, or a placeholder no mail knows, with its name and line.
    /// </summary>
    public static string? Problem(string source, string lang, MailPart part, IReadOnlyDictionary<string, object?> sampleModel, ProblemWords? words = null)
    {
        var strict = Handlebars.Create(new HandlebarsConfiguration { NoEscape = part != MailPart.Html, ThrowOnUnresolvedBindingExpression = true });
        Configure(strict, lang, part == MailPart.Html);
        try
        {
            strict.Compile(source)(sampleModel);
            return null;
        }
        catch (HandlebarsUndefinedBindingException e)
        {
            var line = source.Split('\n').Select((text, index) => (text, index)).FirstOrDefault(l => l.text.Contains(e.MissingKey, StringComparison.Ordinal)).index + 1;
            var w = words ?? ProblemWords.English;
            return ProblemWords.Format(w.UnknownPlaceholder, line, e.MissingKey);
        }
        catch (HandlebarsException e)
        {
            var w = words ?? ProblemWords.English;
            return ProblemWords.Format(w.DoesNotCompile, string.Join(' ', e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        }
    }

    private HandlebarsTemplate<object, object> Compile((string Template, string Lang, MailPart Part) key)
    {
        var source = Resource($"{key.Lang}/{key.Template}.{key.Part.ToString().ToLowerInvariant()}.hbs")
            ?? throw new InvalidOperationException($"No default template {key.Template} ({key.Part}) in '{key.Lang}'.");
        return Environment(key.Lang, key.Part == MailPart.Html).Compile(source);
    }

    /// <summary>One Handlebars environment per language and escaping mode, with its partials and helpers.</summary>
    private IHandlebars Environment(string lang, bool html) => _environments.GetOrAdd((lang, html), static key =>
    {
        var environment = Handlebars.Create(new HandlebarsConfiguration { NoEscape = !key.Html });
        Configure(environment, key.Lang, key.Html);
        return environment;
    });

    private static void Configure(IHandlebars environment, string lang, bool html)
    {
        environment.RegisterHelper("plural", static (context, arguments) =>
            arguments.Length == 3 && Math.Abs(Convert.ToInt64(arguments[0], CultureInfo.InvariantCulture)) == 1 ? arguments[1] : arguments.Length == 3 ? arguments[2] : "");
        if (html)
        {
            environment.RegisterTemplate("layout", Resource($"{lang}/_layout.html.hbs")!);
            environment.RegisterTemplate("button", Resource("_button.html.hbs")!);
        }
        else
        {
            environment.RegisterTemplate("footer", Resource($"{lang}/_footer.text.hbs")!);
        }
    }

    private static string? Resource(string name)
    {
        using var stream = typeof(TemplateCatalog).Assembly.GetManifestResourceStream(ResourcePrefix + name);
        if (stream is null)
        {
            return null;
        }
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
