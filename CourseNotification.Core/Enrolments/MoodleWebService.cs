using System.Globalization;
using System.Text.Json.Nodes;
using CourseNotification.Settings;
using Microsoft.Extensions.Options;

namespace CourseNotification.Enrolments;

/// <summary>Moodle answered a web service call with an error (HTTP 200 with exception, errorcode, message).</summary>
public sealed class MoodleWebServiceException(string function, string errorCode, string message)
    : Exception($"Moodle {function} failed: {errorCode}: {message}")
{
    public string ErrorCode { get; } = errorCode;
}

/// <summary>Moodle's REST web services: <c>POST {moodle}/webservice/rest/server.php</c> with wstoken, wsfunction and moodlewsrestformat=json.</summary>
public sealed class MoodleWebService(HttpClient http, IOptions<MoodleOptions> options)
{
    public bool Configured => options.Value.Url.Length > 0;

    public async Task<JsonNode?> CallAsync(string function, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        var moodle = options.Value;
        var form = new List<KeyValuePair<string, string>>
        {
            new("wstoken", moodle.Token),
            new("wsfunction", function),
            new("moodlewsrestformat", "json"),
        };
        form.AddRange(parameters);
        using var response = await http.PostAsync(new Uri($"{moodle.Url.TrimEnd('/')}/webservice/rest/server.php"), new FormUrlEncodedContent(form), cancellationToken);
        response.EnsureSuccessStatusCode();
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        if (answer is JsonObject error && error["exception"] is not null)
        {
            throw new MoodleWebServiceException(function, error["errorcode"]?.ToString() ?? "unknown", error["message"]?.ToString() ?? "");
        }
        return answer;
    }

    public static KeyValuePair<string, string> Parameter(string name, long value) => new(name, value.ToString(CultureInfo.InvariantCulture));
}
