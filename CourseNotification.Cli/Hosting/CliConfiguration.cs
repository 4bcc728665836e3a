using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace CourseNotification.Cli.Hosting;

/// <summary>
/// Settings under the same names as the Function App's app settings, from (later wins):
/// <c>local.settings.json</c> "Values" in the working folder, environment variables, and
/// <c>Name=Value</c> or <c>--Name=Value</c> words on the command line (<c>Email__Transport=Smtp</c>).
/// </summary>
public static class CliConfiguration
{
    public static IConfigurationRoot Build(IEnumerable<string> settingWords, string? folder = null)
    {
        var builder = new ConfigurationBuilder();
        var localSettings = Path.Combine(folder ?? Directory.GetCurrentDirectory(), "local.settings.json");
        if (File.Exists(localSettings))
        {
            builder.AddInMemoryCollection(ReadValues(localSettings));
        }
        builder.AddEnvironmentVariables();
        builder.AddInMemoryCollection(ParseWords(settingWords));
        return builder.Build();
    }

    /// <summary>Turns <c>Email__Smtp__Port=25</c> into the configuration key <c>Email:Smtp:Port</c>.</summary>
    public static Dictionary<string, string?> ParseWords(IEnumerable<string> words)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var word in words)
        {
            var trimmed = word.TrimStart('-');
            var equals = trimmed.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ArgumentException($"'{word}' is not a setting: write Name=Value, e.g. Email__Transport=Smtp.");
            }
            settings[Key(trimmed[..equals])] = trimmed[(equals + 1)..];
        }
        return settings;
    }

    private static Dictionary<string, string?> ReadValues(string path)
    {
        var values = JsonNode.Parse(File.ReadAllText(path))?["Values"] as JsonObject;
        return values?.ToDictionary(p => Key(p.Key), p => p.Value?.ToString(), StringComparer.OrdinalIgnoreCase) ?? [];
    }

    private static string Key(string name) => name.Replace("__", ":", StringComparison.Ordinal);
}
