using System.Text.Json;
using System.Text.Json.Nodes;

namespace CourseNotification.Settings;

/// <summary>Which fields of a course's settings a save changes, named as the API names them (<c>firstCallDays</c>, <c>signals.end7</c>, <c>templates.welcome.fr.subject</c>).</summary>
public static class SettingsDiff
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IReadOnlyList<string> Fields(CourseSettings? before, CourseSettings after)
    {
        var changed = new List<string>();
        Walk(JsonSerializer.SerializeToNode(before ?? new CourseSettings(), Json), JsonSerializer.SerializeToNode(after, Json), "", 0, changed);
        return changed;
    }

    /// <summary>Objects are compared member by member down to a signal's text part (depth 3); anything else as a whole.</summary>
    private static void Walk(JsonNode? a, JsonNode? b, string path, int depth, List<string> changed)
    {
        var (left, right) = (a as JsonObject, b as JsonObject);
        if ((left is not null || right is not null) && depth < 4 && path != "campaigns")
        {
            var names = (left?.Select(p => p.Key) ?? []).Union(right?.Select(p => p.Key) ?? [], StringComparer.Ordinal);
            foreach (var name in names.Order(StringComparer.Ordinal))
            {
                Walk(left?[name], right?[name], path.Length == 0 ? name : $"{path}.{name}", depth + 1, changed);
            }
            return;
        }
        if (!JsonNode.DeepEquals(a, b))
        {
            changed.Add(path);
        }
    }
}
