using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace CourseNotification.Tests.Enrolments;

/// <summary>
/// A loopback Moodle answering <c>/webservice/rest/server.php</c> the documented way (form fields wstoken,
/// wsfunction, moodlewsrestformat; errors as HTTP 200 with exception, errorcode, message), from an
/// in-memory site: courses, enrolled users with roles and last course access, completion status.
/// </summary>
internal sealed class FakeMoodleWebService : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeMoodleWebService(WebApplication app) => _app = app;

    public const string Token = "ws-token-123";

    public Uri Url => new(_app.Urls.First());

    public List<JsonObject> Courses { get; } = [];

    /// <summary>Enrolled users by course id (Moodle's core_enrol_get_enrolled_users shape).</summary>
    public Dictionary<long, List<JsonObject>> Enrolled { get; } = [];

    /// <summary>(course, user) -> completion time, for the completed ones.</summary>
    public Dictionary<(long, long), long> Completed { get; } = [];

    /// <summary>(course, user) -> the error code completion status answers, as real Moodle does for teachers and suspended enrolments (usernotenroled) or with completion off (cannotviewreport).</summary>
    public Dictionary<(long, long), string> CompletionErrors { get; } = [];

    /// <summary>Courses whose enrolled users answer an error.</summary>
    public HashSet<long> Broken { get; } = [];

    public List<string> Calls { get; } = [];

    public static async Task<FakeMoodleWebService> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var site = new FakeMoodleWebService(app);
        app.MapPost("/webservice/rest/server.php", async (HttpRequest request) => Results.Text((await site.AnswerAsync(request)).ToJsonString(), "application/json"));
        await app.StartAsync();
        return site;
    }

    private async Task<JsonNode> AnswerAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        var function = form["wsfunction"].ToString();
        lock (Calls)
        {
            Calls.Add(function);
        }
        if (form["wstoken"] != Token)
        {
            return Error("moodle_exception", "invalidtoken", "Invalid token - token not found");
        }
        if (form["moodlewsrestformat"] != "json")
        {
            return Error("moodle_exception", "invalidparameter", "Invalid parameter value detected");
        }
        switch (function)
        {
            case "core_course_get_courses":
                return new JsonArray([.. Courses.Select(c => (JsonNode)c.DeepClone())]);
            case "core_enrol_get_enrolled_users":
                var course = long.Parse(form["courseid"]!, CultureInfo.InvariantCulture);
                if (Broken.Contains(course))
                {
                    return Error("required_capability_exception", "nopermissions", "Sorry, but you do not currently have permissions to do that (View participants).");
                }
                var options = Enumerable.Range(0, 2).ToDictionary(i => form[$"options[{i}][name]"].ToString(), i => int.Parse(form[$"options[{i}][value]"]!, CultureInfo.InvariantCulture));
                return new JsonArray([.. Enrolled.GetValueOrDefault(course, []).Skip(options["limitfrom"]).Take(options["limitnumber"]).Select(u => (JsonNode)u.DeepClone())]);
            case "core_completion_get_course_completion_status":
                var key = (long.Parse(form["courseid"]!, CultureInfo.InvariantCulture), long.Parse(form["userid"]!, CultureInfo.InvariantCulture));
                if (CompletionErrors.TryGetValue(key, out var refusal))
                {
                    return Error("moodle_exception", refusal, refusal == "usernotenroled" ? "User is not enrolled in this course" : "You cannot view this course's completion report");
                }
                var done = Completed.TryGetValue(key, out var at);
                return new JsonObject
                {
                    ["completionstatus"] = new JsonObject
                    {
                        ["completed"] = done,
                        ["aggregation"] = 1,
                        ["completions"] = new JsonArray(new JsonObject { ["type"] = 4, ["title"] = "Activity completion", ["status"] = done ? "Yes" : "No", ["complete"] = done, ["timecompleted"] = done ? at : null }),
                    },
                    ["warnings"] = new JsonArray(),
                };
            default:
                return Error("dml_missing_record_exception", "invalidrecord", "Can't find data record in database table external_functions.");
        }
    }

    private static JsonObject Error(string exception, string code, string message) =>
        new() { ["exception"] = exception, ["errorcode"] = code, ["message"] = message };

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
