using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CourseNotification.Enrolments;

/// <summary>
/// Reads the fields of one JSON object the lenient way Moodle writes them (numbers as strings, dates as
/// Unix seconds or ISO 8601, 0 for "none"), and keeps the first problem found, naming the field.
/// </summary>
internal sealed class JsonItem(JsonObject node)
{
    public string? Problem { get; private set; }

    public string? ProblemField { get; private set; }

    public bool Has(string name) => node.ContainsKey(name);

    public JsonObject? Object(string name) => node[name] as JsonObject;

    public long? Long(string name, bool required = false)
    {
        var value = node[name];
        if (value is null)
        {
            return required ? Fail<long?>(name, "is required") : null;
        }
        // Read numbers from their JSON text: a node built in code holds an int, a long or a double, and
        // TryGetValue<long> only converts what was parsed from text.
        if (value is JsonValue v)
        {
            var text = v.GetValueKind() switch
            {
                JsonValueKind.Number => v.ToJsonString(),
                JsonValueKind.String => v.GetValue<string>(),
                _ => null,
            };
            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
            {
                return number;
            }
            if (v.GetValueKind() == JsonValueKind.Number
                && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && real == Math.Floor(real) && Math.Abs(real) < 9e15)
            {
                return (long)real;
            }
        }
        return Fail<long?>(name, "must be an integer");
    }

    public long Id(string name)
    {
        var id = Long(name, required: true);
        return id is > 0 ? id.Value : Problem is null ? Fail<long>(name, "must be a positive integer") : 0;
    }

    public string? String(string name)
    {
        var value = node[name];
        if (value is null)
        {
            return null;
        }
        if (value is JsonValue v && v.GetValueKind() is JsonValueKind.String or JsonValueKind.Number)
        {
            return v.ToString();
        }
        return Fail<string?>(name, "must be a string");
    }

    public bool? Bool(string name)
    {
        var value = node[name];
        if (value is null)
        {
            return null;
        }
        if (value is JsonValue v)
        {
            switch (v.GetValueKind())
            {
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                case JsonValueKind.Number when v.ToJsonString() is "0" or "1": return v.ToJsonString() == "1";
                case JsonValueKind.String when v.GetValue<string>() is "0" or "1" or "true" or "false":
                    return v.GetValue<string>() is "1" or "true";
            }
        }
        return Fail<bool?>(name, "must be true or false");
    }

    /// <summary>A date as Unix seconds (number or string) or ISO 8601 with offset; 0 or null mean "none".</summary>
    public DateTimeOffset? Date(string name)
    {
        var value = node[name];
        if (value is not JsonValue v)
        {
            return value is null ? null : Fail<DateTimeOffset?>(name, "must be Unix seconds or an ISO 8601 date");
        }
        if (v.TryGetValue<string>(out var text))
        {
            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
            {
                return FromUnix(name, seconds);
            }
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                && (text.EndsWith('Z') || text.Contains('+', StringComparison.Ordinal) || text.LastIndexOf('-') > 9))
            {
                return SupportedDates.Contains(parsed) ? parsed : Fail<DateTimeOffset?>(name, OutOfRange);
            }
            return Fail<DateTimeOffset?>(name, $"'{text}' is neither Unix seconds nor an ISO 8601 date with offset");
        }
        var number = Long(name);
        return number is null ? null : FromUnix(name, number.Value);
    }

    /// <summary>A list of strings; null when absent.</summary>
    public IReadOnlyList<string>? Strings(string name)
    {
        var value = node[name];
        if (value is null)
        {
            return null;
        }
        if (value is JsonArray array && array.All(e => e is JsonValue v && v.GetValueKind() == JsonValueKind.String))
        {
            return array.Select(e => e!.GetValue<string>()).ToList();
        }
        return Fail<IReadOnlyList<string>?>(name, "must be a list of strings");
    }

    /// <summary>Records a problem found by the caller (the first one wins).</summary>
    public void Reject(string name, string problem) => Fail<object?>(name, problem);

    private DateTimeOffset? FromUnix(string name, long seconds) =>
        seconds == 0 ? null
        : SupportedDates.TryFromUnix(seconds, out var date) ? date
        : Fail<DateTimeOffset?>(name, OutOfRange);

    private const string OutOfRange = "is out of range (" + SupportedDates.Description + ")";

    private T Fail<T>(string name, string problem)
    {
        if (Problem is null)
        {
            ProblemField = name;
            Problem = $"{name} {problem}";
        }
        return default!;
    }
}
