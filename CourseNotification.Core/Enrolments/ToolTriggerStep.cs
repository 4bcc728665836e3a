using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;

namespace CourseNotification.Enrolments;

/// <summary>
/// What Catalyst's <c>tool_trigger</c> sends from a workflow's "HTTP Post" step (docs/moodle.md, event push):
/// the workflow's fields, which are <c>get_data()</c>'s scalar fields plus each scalar of <c>other</c> as
/// <c>other_</c> and its key, rendered into the step's parameter template. Without "JSON encode" the body is
/// that template as a form (<c>key=value&amp;...</c>, values URL-encoded); with it, the template is parsed as
/// a form and sent as a flat JSON object of strings. PHP renders null and false as "", and leaves a
/// placeholder the event does not have as it is (<c>{other_enrol}</c>).
/// </summary>
internal static partial class ToolTriggerStep
{
    private const string OtherPrefix = "other_";

    /// <summary>An event as tool_trigger flattens it: no <c>other</c> object, and fields named <c>other_*</c> or placeholders left unrendered.</summary>
    public static bool IsFlattened(JsonObject e) =>
        e["other"] is not JsonObject
        && e.Any(p => p.Key.StartsWith(OtherPrefix, StringComparison.Ordinal) || (p.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String && Placeholder().IsMatch(v.GetValue<string>())));

    /// <summary>The event as <c>get_data()</c> gives it: the <c>other_*</c> fields back in <c>other</c>, "" as null, unrendered placeholders left out.</summary>
    public static JsonObject Unflatten(JsonObject e)
    {
        var result = new JsonObject();
        var other = new JsonObject();
        foreach (var (key, value) in e)
        {
            var copy = value?.DeepClone();
            if (copy is JsonValue text && text.GetValueKind() == JsonValueKind.String)
            {
                var s = text.GetValue<string>();
                if (Placeholder().IsMatch(s))
                {
                    continue;
                }
                if (s.Length == 0)
                {
                    copy = null;
                }
            }
            if (key.StartsWith(OtherPrefix, StringComparison.Ordinal))
            {
                other[key[OtherPrefix.Length..]] = copy;
            }
            else if (key != "other")
            {
                result[key] = copy;
            }
        }
        result["other"] = other.Count > 0 ? other : null;
        return result;
    }

    /// <summary>
    /// A form body (<c>eventname=%5Ccore%5Cevent%5Ccourse_viewed&amp;courseid=2...</c>) as a flat event object of
    /// strings; null when the body is not such a form (JSON, or no <c>eventname</c>).
    /// </summary>
    public static JsonObject? FromForm(ReadOnlySpan<byte> body)
    {
        var text = Encoding.UTF8.GetString(body).Trim();
        if (text.Length == 0 || text[0] is '{' or '[' || !text.Contains('=', StringComparison.Ordinal))
        {
            return null;
        }
        var fields = QueryHelpers.ParseQuery(text);
        if (!fields.ContainsKey("eventname"))
        {
            return null;
        }
        var e = new JsonObject();
        foreach (var (key, values) in fields)
        {
            e[key] = values.Count > 0 ? values[^1] : "";
        }
        return e;
    }

    [GeneratedRegex(@"^\{[-_A-Za-z0-9]+\}$")]
    private static partial Regex Placeholder();
}
