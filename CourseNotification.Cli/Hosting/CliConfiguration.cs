using System.Collections;
using System.Text.Json.Nodes;
using CourseNotification.Settings;
using Microsoft.Extensions.Configuration;

namespace CourseNotification.Cli.Hosting;

/// <summary>Wrong settings, each said in one line naming the setting as the user wrote it; the verb stops with exit code 2.</summary>
public sealed class SettingsException(IReadOnlyList<string> lines) : Exception(string.Join(Environment.NewLine, lines))
{
    public IReadOnlyList<string> Lines { get; } = lines;
}

/// <summary>
/// Settings under the same names as the Function App's app settings, from (later wins):
/// <c>local.settings.json</c> "Values" in the working folder, environment variables, and
/// <c>Name=Value</c> or <c>--Name=Value</c> words on the command line (<c>Email__Transport=Smtp</c>).
/// Checked at once (<see cref="SettingsCheck"/>): a wrong value stops the verb before it starts anything.
/// </summary>
public static class CliConfiguration
{
    public static IConfigurationRoot Build(IEnumerable<string> settingWords, string? folder = null)
    {
        var builder = new ConfigurationBuilder();
        // The name of each setting as its source wrote it (Platform__Enabled, platform__enabled...), for messages.
        var spelled = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var localSettings = Path.Combine(folder ?? Directory.GetCurrentDirectory(), "local.settings.json");
        if (File.Exists(localSettings))
        {
            builder.AddInMemoryCollection(ReadValues(localSettings, spelled));
        }
        builder.AddEnvironmentVariables();
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            var name = (string)variable.Key;
            spelled[Key(name)] = name;
        }
        builder.AddInMemoryCollection(ParseWords(settingWords, spelled));
        var configuration = builder.Build();
        if (SettingsCheck.Problems(configuration) is { Count: > 0 } problems)
        {
            throw new SettingsException([.. problems.Select(p => $"Setting {spelled.GetValueOrDefault(p.Key) ?? p.Name}: {p.Message}")]);
        }
        return configuration;
    }

    /// <summary>Turns <c>Email__Smtp__Port=25</c> into the configuration key <c>Email:Smtp:Port</c>.</summary>
    private static Dictionary<string, string?> ParseWords(IEnumerable<string> words, Dictionary<string, string> spelled)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var word in words)
        {
            var trimmed = word.TrimStart('-');
            var equals = trimmed.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new SettingsException([$"'{word}' is not a setting: write Name=Value, e.g. Email__Transport=Smtp."]);
            }
            var name = trimmed[..equals];
            settings[Key(name)] = trimmed[(equals + 1)..];
            spelled[Key(name)] = name;
        }
        return settings;
    }

    private static Dictionary<string, string?> ReadValues(string path, Dictionary<string, string> spelled)
    {
        var values = JsonNode.Parse(File.ReadAllText(path))?["Values"] as JsonObject;
        foreach (var name in values?.Select(p => p.Key) ?? [])
        {
            spelled[Key(name)] = name;
        }
        return values?.ToDictionary(p => Key(p.Key), p => p.Value?.ToString(), StringComparer.OrdinalIgnoreCase) ?? [];
    }

    private static string Key(string name) => name.Replace("__", ":", StringComparison.Ordinal);
}
