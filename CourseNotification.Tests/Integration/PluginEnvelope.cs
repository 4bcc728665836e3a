using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace CourseNotification.Tests.Integration;

/// <summary>
/// An envelope of local_coursenotification built as moodle/local_coursenotification/ENVELOPE.md gives it
/// (every field, Unix seconds, ids as Moodle mixes numbers and strings), signed as the plugin signs it.
/// </summary>
internal sealed class PluginEnvelope(string type, DateTimeOffset created)
{
    public const string Secret = "whsec_ZW52ZWxvcGVzLW9mLWEtbWFkZS11cC10ZXN0LXNpdGU=";

    public string Id { get; init; } = "msg_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public JsonArray Events { get; } = [];

    public JsonArray Courses { get; } = [];

    public JsonArray Learners { get; } = [];

    public JsonArray Enrolments { get; } = [];

    public JsonArray RemovedCourses { get; } = [];

    public JsonArray RemovedLearners { get; } = [];

    public JsonArray RemovedEnrolments { get; } = [];

    public JsonObject? Backfill { get; init; }

    public static long Unix(DateTimeOffset at) => at.ToUnixTimeSeconds();

    public string Json()
    {
        var body = new JsonObject
        {
            ["id"] = Id,
            ["type"] = type,
            ["site"] = "http://127.0.0.1:8089",
            ["created"] = Unix(created),
            ["source"] = new JsonObject
            {
                ["plugin"] = "local_coursenotification", ["pluginVersion"] = 2026112900,
                ["moodleRelease"] = "4.5 (Build: 20241007)", ["siteTimeZone"] = "Europe/London", ["siteLang"] = "en",
            },
            ["events"] = Events.DeepClone(),
            ["state"] = new JsonObject
            {
                ["courses"] = Courses.DeepClone(),
                ["learners"] = Learners.DeepClone(),
                ["enrolments"] = Enrolments.DeepClone(),
                ["removed"] = new JsonObject
                {
                    ["courses"] = RemovedCourses.DeepClone(),
                    ["learners"] = RemovedLearners.DeepClone(),
                    ["enrolments"] = RemovedEnrolments.DeepClone(),
                },
            },
        };
        if (Backfill is not null)
        {
            body["backfill"] = Backfill.DeepClone();
        }
        return body.ToJsonString();
    }

    /// <summary>The request the plugin sends: Standard Webhooks headers over the exact body bytes.</summary>
    public HttpRequestMessage Request(DateTimeOffset sentAt, string path = "api/moodle/events")
    {
        var body = Json();
        var timestamp = Unix(sentAt).ToString(CultureInfo.InvariantCulture);
        var key = Convert.FromBase64String(Secret["whsec_".Length..]);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{Id}.{timestamp}.{body}")));
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("webhook-id", Id);
        request.Headers.Add("webhook-timestamp", timestamp);
        request.Headers.Add("webhook-signature", "v1," + signature);
        request.Headers.UserAgent.ParseAdd("MoodleBot/1.0");
        return request;
    }

    // get_data() of the events the plugin sends, as Moodle 4.5 writes them (captured from a real site)
    public PluginEnvelope Event(string name, long course, long relatedUser, long objectId, DateTimeOffset at, JsonNode? other = null, long actor = 2, int edulevel = 0, string crud = "c")
    {
        Events.Add(new JsonObject
        {
            ["eventname"] = name, ["component"] = name.Split('\\', StringSplitOptions.RemoveEmptyEntries)[0], ["action"] = "x", ["target"] = "x",
            ["objecttable"] = "x", ["objectid"] = objectId, ["crud"] = crud, ["edulevel"] = edulevel, ["contextid"] = 14, ["contextlevel"] = 50,
            ["contextinstanceid"] = course.ToString(CultureInfo.InvariantCulture), ["userid"] = actor.ToString(CultureInfo.InvariantCulture),
            ["courseid"] = course.ToString(CultureInfo.InvariantCulture), ["relateduserid"] = relatedUser, ["anonymous"] = 0,
            ["other"] = other, ["timecreated"] = Unix(at),
        });
        return this;
    }

    public PluginEnvelope Enrolled(long course, long learner, long enrolment, DateTimeOffset at) =>
        Event(@"\core\event\user_enrolment_created", course, learner, enrolment, at, new JsonObject { ["enrol"] = "manual" })
            .Event(@"\core\event\role_assigned", course, learner, 5, at, new JsonObject { ["id"] = 2, ["component"] = "", ["itemid"] = 0 });

    public PluginEnvelope Course(long id, DateTimeOffset start, DateTimeOffset? end, bool visible = true)
    {
        Courses.Add(new JsonObject
        {
            ["id"] = id, ["shortName"] = $"SC-{id}", ["fullName"] = $"Scenario course {id}", ["idNumber"] = "",
            ["url"] = $"http://127.0.0.1:8089/course/view.php?id={id}", ["startDate"] = Unix(start), ["endDate"] = end is null ? 0 : Unix(end.Value),
            ["visible"] = visible, ["enableCompletion"] = true, ["lang"] = "", ["categoryId"] = 1, ["timeModified"] = Unix(start),
        });
        return this;
    }

    public PluginEnvelope Learner(long id, string lang = "fr", string timeZone = "Europe/Paris", bool suspended = false, string? email = null)
    {
        Learners.Add(new JsonObject
        {
            ["id"] = id, ["username"] = $"user{id}", ["email"] = email ?? $"user{id}@example.com", ["firstName"] = "Test", ["lastName"] = $"User{id}",
            ["idNumber"] = "", ["lang"] = lang, ["timeZone"] = timeZone, ["timeZoneSetting"] = timeZone, ["suspended"] = suspended,
            ["deleted"] = false, ["auth"] = "manual", ["firstAccess"] = 0, ["lastAccess"] = 0, ["lastLogin"] = 0,
        });
        return this;
    }

    public PluginEnvelope Enrolment(
        long id, long course, long learner, DateTimeOffset? start, DateTimeOffset? end, string status = "active",
        string[]? roles = null, DateTimeOffset? lastAccess = null, DateTimeOffset? completedAt = null)
    {
        Enrolments.Add(new JsonObject
        {
            ["id"] = id, ["courseId"] = course, ["learnerId"] = learner, ["enrolId"] = 4, ["method"] = "manual", ["status"] = status,
            ["userSuspended"] = status == "suspended", ["instanceEnabled"] = true,
            ["start"] = start is null ? 0 : Unix(start.Value), ["end"] = end is null ? 0 : Unix(end.Value),
            ["timeCreated"] = Unix(created), ["timeModified"] = Unix(created),
            ["roles"] = new JsonArray([.. (roles ?? ["student"]).Select(r => (JsonNode)r)]),
            ["lastAccess"] = lastAccess is null ? 0 : Unix(lastAccess.Value), ["completedAt"] = completedAt is null ? 0 : Unix(completedAt.Value),
        });
        return this;
    }
}
