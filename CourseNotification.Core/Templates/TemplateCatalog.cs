using System.Collections.Concurrent;
using HandlebarsDotNet;

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
/// compiled once on first use and cached. HTML parts escape values; subject and text do not.
/// </summary>
public sealed class TemplateCatalog
{
    private const string ResourcePrefix = "CourseNotification.Templates.Defaults.";
    private readonly IHandlebars _html = Handlebars.Create(new HandlebarsConfiguration());
    private readonly IHandlebars _plain = Handlebars.Create(new HandlebarsConfiguration { NoEscape = true });
    private readonly ConcurrentDictionary<(string Signal, string Lang, MailPart Part), HandlebarsTemplate<object, object>> _compiled = new();

    public static bool Has(string signal, string lang) =>
        typeof(TemplateCatalog).Assembly.GetManifestResourceInfo(ResourceName(signal, lang, MailPart.Subject)) is not null;

    public string Render(string signal, string lang, MailPart part, object model) =>
        _compiled.GetOrAdd((signal, lang, part), Compile)(model).Trim();

    private HandlebarsTemplate<object, object> Compile((string Signal, string Lang, MailPart Part) key)
    {
        var name = ResourceName(key.Signal, key.Lang, key.Part);
        using var stream = typeof(TemplateCatalog).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"No default template {name}.");
        using var reader = new StreamReader(stream);
        return (key.Part == MailPart.Html ? _html : _plain).Compile(reader.ReadToEnd());
    }

    private static string ResourceName(string signal, string lang, MailPart part) =>
        $"{ResourcePrefix}{lang}/{signal}.{part.ToString().ToLowerInvariant()}.hbs";
}
