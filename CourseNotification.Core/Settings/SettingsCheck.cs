using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Settings;

/// <summary>
/// One wrong setting: its configuration key (<c>Platform:Enabled</c>) and what is wrong with it, said
/// without its name (<c>"maybe" is not true or false.</c>).
/// </summary>
public sealed record SettingProblem(string Key, string Message)
{
    /// <summary>The name as the README and the portal write it: <c>Platform__Enabled</c>.</summary>
    public string Name => Key.Replace(":", "__", StringComparison.Ordinal);
}

/// <summary>
/// Every typed setting bound and validated as the hosts do at start (the same binder, the same data
/// annotations and rules), without starting anything: a tool can refuse a wrong value in one line before
/// it starts storage or a host, instead of a host's stack trace.
/// </summary>
public static partial class SettingsCheck
{
    private static readonly (string Section, Type Type)[] Sections =
    [
        (PlatformOptions.Section, typeof(PlatformOptions)),
        (EmailOptions.Section, typeof(EmailOptions)),
        (SignalOptions.Section, typeof(SignalOptions)),
        (MoodleOptions.Section, typeof(MoodleOptions)),
        (DigestOptions.Section, typeof(DigestOptions)),
        (RetentionOptions.Section, typeof(RetentionOptions)),
        (AccessOptions.Section, typeof(AccessOptions)),
    ];

    public static IReadOnlyList<SettingProblem> Problems(IConfiguration configuration)
    {
        var problems = new List<SettingProblem>();
        foreach (var (section, type) in Sections)
        {
            var before = problems.Count;
            // Each value alone first, so a value the binder cannot convert is named by itself.
            foreach (var (key, value) in configuration.GetSection(section).AsEnumerable())
            {
                if (value is not null && key.Length > section.Length && PropertyAt(type, key[(section.Length + 1)..]) is { } property && !Converts(section, key, value, type))
                {
                    problems.Add(new SettingProblem(key, $"\"{value}\" {Expected(property.PropertyType)}."));
                }
            }
            if (problems.Count > before)
            {
                continue;
            }
            var options = Activator.CreateInstance(type)!;
            configuration.GetSection(section).Bind(options);
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
            problems.AddRange(results.Select(r => Named(section, r)));
        }
        foreach (var (key, value) in configuration.GetSection("Logging:LogLevel").AsEnumerable())
        {
            if (value is not null && !Enum.TryParse<LogLevel>(value, ignoreCase: true, out _))
            {
                problems.Add(new SettingProblem(key, $"\"{value}\" is not a log level ({string.Join(", ", Enum.GetNames<LogLevel>())})."));
            }
        }
        return problems;
    }

    /// <summary>Whether the binder takes this one value (it throws on a value it cannot convert).</summary>
    private static bool Converts(string section, string key, string value, Type type)
    {
        var alone = new ConfigurationBuilder().AddInMemoryCollection([new KeyValuePair<string, string?>(key, value)]).Build();
        try
        {
            alone.GetSection(section).Bind(Activator.CreateInstance(type));
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The property a key below the section binds to (<c>Smtp:Port</c>), or null for a key no property takes.</summary>
    private static PropertyInfo? PropertyAt(Type type, string path)
    {
        PropertyInfo? property = null;
        foreach (var part in path.Split(':'))
        {
            property = type.GetProperty(part, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null)
            {
                return null;
            }
            type = property.PropertyType;
        }
        return property;
    }

    private static string Expected(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(bool) => "is not true or false",
        var t when t == typeof(int) || t == typeof(long) => "is not a whole number",
        var t when t == typeof(double) => "is not a number",
        var t when t == typeof(TimeSpan) => "is not a duration (hh:mm:ss, e.g. 00:00:30)",
        { IsEnum: true } t => $"is not one of {string.Join(", ", Enum.GetNames(t))}",
        var t => $"cannot be read as {t.Name}",
    };

    /// <summary>
    /// A validation result as a problem of one setting: the one its message starts with
    /// (<c>Platform__TimeZone: "Mars/Olympus" is not ...</c>), else its member.
    /// </summary>
    private static SettingProblem Named(string section, ValidationResult result)
    {
        var message = result.ErrorMessage ?? "is not valid.";
        if (LeadingName().Match(message) is { Success: true } named)
        {
            var rest = message[named.Length..].TrimStart(':', ' ');
            return new SettingProblem(named.Value.Replace("__", ":", StringComparison.Ordinal), rest);
        }
        var member = result.MemberNames.FirstOrDefault() ?? "";
        var key = member.Length == 0 ? section : $"{section}:{member.Replace(".", ":", StringComparison.Ordinal).Replace("__", ":", StringComparison.Ordinal)}";
        return new SettingProblem(key, message);
    }

    [GeneratedRegex(@"^[A-Za-z]+(__[A-Za-z0-9]+)+")]
    private static partial Regex LeadingName();
}
