using System.Text.Json.Nodes;

namespace CourseNotification.Tests.Moodle;

/// <summary>
/// Data captured from a stock Moodle 4.5 site (<c>Moodle/Real/</c>, see its NOTES.md): events as
/// <c>get_data()</c> gives them, web-service answers, the "Course participants" report export. Fakes and
/// parsers are tested against these, never against what we think Moodle sends.
/// </summary>
internal static class RealSamples
{
    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "Moodle", "Real");

    public static string Text(string file) => File.ReadAllText(Path.Combine(Folder, file));

    public static JsonNode Json(string file) => JsonNode.Parse(Text(file)) ?? throw new InvalidDataException($"{file} is empty");

    /// <summary>The web service's answer to <paramref name="function"/> (file <c>ws-{function}{suffix}.json</c>).</summary>
    public static JsonNode Answer(string function, string suffix = "") => Json($"ws-{function}{suffix}.json");

    /// <summary>Each captured event: its name and <c>get_data()</c>.</summary>
    public static IReadOnlyList<(string Name, JsonObject Data)> Events() =>
        [.. File.ReadLines(Path.Combine(Folder, "events.jsonl")).Where(line => line.Length > 0)
            .Select(line => JsonNode.Parse(line)!.AsObject())
            .Select(e => (e["eventname"]!.GetValue<string>(), e["data"]!.AsObject()))];
}
