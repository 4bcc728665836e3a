using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;

namespace CourseNotification.Benchmarks;

/// <summary>
/// local_coursenotification's envelopes accepted by <c>serve</c> over loopback HTTP against Azurite, one at
/// a time as the plugin sends them: each a <c>moodle.batch</c> of 100 events (50 enrolments: created and
/// role assigned) with their state (the course, 50 learners, 50 enrolments), signed. The floor, in the same
/// run: raw Table upserts of the same rows (learners, snapshots in one batch per course, the learners'
/// course index rows, the course), with the same concurrency the store uses.
/// </summary>
internal static class EnvelopeHarness
{
    private const string Secret = "whsec_ZW52ZWxvcGVzLW9mLWEtbWFkZS11cC10ZXN0LXNpdGU=";
    private const int PerEnvelope = 50;
    private const int Concurrency = 16;

    public static async Task<int> RunAsync(int envelopes)
    {
        await using var bench = await BenchHost.StartAsync(("Moodle:WebhookSecrets", Secret));
        using var http = new HttpClient { BaseAddress = bench.Url };

        // Warm up the host and the storage connections, outside the measure.
        await PostAsync(http, Envelope(course: 1, firstLearner: 1_000_000, count: 2));

        var bodies = Enumerable.Range(0, envelopes).Select(i => Envelope(course: 10 + i % 5, firstLearner: 1 + i * PerEnvelope, count: PerEnvelope)).ToList();
        var served = Stopwatch.StartNew();
        foreach (var body in bodies)
        {
            await PostAsync(http, body);
        }
        served.Stop();

        var learners = new TableClient(bench.ConnectionString, "floorlearners");
        var snapshots = new TableClient(bench.ConnectionString, "floorsnapshots");
        var index = new TableClient(bench.ConnectionString, "floorindex");
        var courses = new TableClient(bench.ConnectionString, "floorcourses");
        foreach (var table in new[] { learners, snapshots, index, courses })
        {
            await table.CreateIfNotExistsAsync();
        }
        var floor = Stopwatch.StartNew();
        var options = new ParallelOptions { MaxDegreeOfParallelism = Concurrency };
        for (var i = 0; i < envelopes; i++)
        {
            var (course, first) = (10 + i % 5, 1 + i * PerEnvelope);
            var ids = Enumerable.Range(first, PerEnvelope).ToList();
            var row = Json(PerEnvelope * 5);
            await courses.UpsertEntityAsync(new TableEntity("course", Key(course)) { ["FullName"] = "Course", ["StateAt"] = DateTimeOffset.UtcNow }, TableUpdateMode.Replace);
            await Parallel.ForEachAsync(ids, options, async (id, ct) =>
            {
                await learners.UpsertEntityAsync(new TableEntity(Key(id), "learner") { ["Email"] = $"user{id}@example.com", ["Lang"] = "fr", ["TimeZone"] = "Europe/Paris" }, TableUpdateMode.Merge, ct);
                await index.UpsertEntityAsync(new TableEntity(Key(id), Key(course)), TableUpdateMode.Replace, ct);
            });
            await snapshots.SubmitTransactionAsync(ids.Select(id => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
                new TableEntity(Key(course), Key(id)) { ["Enrolments"] = row, ["Roles"] = "student", ["Lang"] = "fr", ["TimeZone"] = "Europe/Paris" })));
        }
        floor.Stop();

        var events = envelopes * PerEnvelope * 2;
        Console.WriteLine($"envelopes: {envelopes} moodle.batch of {PerEnvelope * 2} events + state ({PerEnvelope} learners, {PerEnvelope} enrolments, 1 course), one at a time, 5 courses");
        Console.WriteLine($"serve accepted (202): {served.Elapsed.TotalSeconds:0.00} s, {served.Elapsed.TotalMilliseconds / envelopes:0} ms per envelope, {events / served.Elapsed.TotalSeconds:0} events/s");
        Console.WriteLine($"raw Table upserts of the same rows: {floor.Elapsed.TotalSeconds:0.00} s, {floor.Elapsed.TotalMilliseconds / envelopes:0} ms per envelope's rows");
        Console.WriteLine($"ratio: {served.Elapsed / floor.Elapsed:0.00}x (target: at most 2x)");
        return 0;
    }

    private static string Key(long id) => id.ToString("D19", CultureInfo.InvariantCulture);

    private static string Json(int length) => new('x', length);

    private static async Task PostAsync(HttpClient http, string body)
    {
        var id = "msg_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(Secret["whsec_".Length..]), Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/moodle/events") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp);
        request.Headers.Add("webhook-signature", "v1," + signature);
        using var response = await http.SendAsync(request);
        if ((int)response.StatusCode != 202)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>An envelope as ENVELOPE.md gives it: for each learner, user_enrolment_created and role_assigned, and the state they touch.</summary>
    private static string Envelope(int course, int firstLearner, int count)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var events = new JsonArray();
        var learners = new JsonArray();
        var enrolments = new JsonArray();
        for (var learner = firstLearner; learner < firstLearner + count; learner++)
        {
            events.Add(Event(@"\core\event\user_enrolment_created", course, learner, learner, now, new JsonObject { ["enrol"] = "manual" }));
            events.Add(Event(@"\core\event\role_assigned", course, learner, 5, now, new JsonObject { ["id"] = learner, ["component"] = "", ["itemid"] = 0 }));
            learners.Add(new JsonObject
            {
                ["id"] = learner, ["username"] = $"user{learner}", ["email"] = $"user{learner}@example.com", ["firstName"] = "Test", ["lastName"] = $"User{learner}",
                ["idNumber"] = "", ["lang"] = "fr", ["timeZone"] = "Europe/Paris", ["timeZoneSetting"] = "Europe/Paris", ["suspended"] = false,
                ["deleted"] = false, ["auth"] = "manual", ["firstAccess"] = 0, ["lastAccess"] = 0, ["lastLogin"] = 0,
            });
            enrolments.Add(new JsonObject
            {
                ["id"] = learner, ["courseId"] = course, ["learnerId"] = learner, ["enrolId"] = 4, ["method"] = "manual", ["status"] = "active",
                ["userSuspended"] = false, ["instanceEnabled"] = true, ["start"] = now - 86_400, ["end"] = now + 30 * 86_400,
                ["timeCreated"] = now, ["timeModified"] = now, ["roles"] = new JsonArray("student"), ["lastAccess"] = 0, ["completedAt"] = 0,
            });
        }
        return new JsonObject
        {
            ["id"] = "msg_bench", ["type"] = "moodle.batch", ["site"] = "http://127.0.0.1:8089", ["created"] = now,
            ["source"] = new JsonObject { ["plugin"] = "local_coursenotification", ["pluginVersion"] = 2026112900, ["moodleRelease"] = "4.5", ["siteTimeZone"] = "Europe/London", ["siteLang"] = "en" },
            ["events"] = events,
            ["state"] = new JsonObject
            {
                ["courses"] = new JsonArray(new JsonObject
                {
                    ["id"] = course, ["shortName"] = $"C{course}", ["fullName"] = $"Course {course}", ["idNumber"] = "", ["url"] = $"http://127.0.0.1:8089/course/view.php?id={course}",
                    ["startDate"] = now - 10 * 86_400, ["endDate"] = now + 60 * 86_400, ["visible"] = true, ["enableCompletion"] = true, ["lang"] = "", ["categoryId"] = 1, ["timeModified"] = now,
                }),
                ["learners"] = learners,
                ["enrolments"] = enrolments,
                ["removed"] = new JsonObject { ["courses"] = new JsonArray(), ["learners"] = new JsonArray(), ["enrolments"] = new JsonArray() },
            },
        }.ToJsonString();
    }

    private static JsonObject Event(string name, int course, int learner, long objectId, long at, JsonObject other) => new()
    {
        ["eventname"] = name, ["component"] = "core", ["action"] = "created", ["target"] = "user_enrolment", ["objecttable"] = "user_enrolments",
        ["objectid"] = objectId, ["crud"] = "c", ["edulevel"] = 0, ["contextid"] = 14, ["contextlevel"] = 50, ["contextinstanceid"] = course.ToString(CultureInfo.InvariantCulture),
        ["userid"] = "2", ["courseid"] = course.ToString(CultureInfo.InvariantCulture), ["relateduserid"] = learner, ["anonymous"] = 0, ["other"] = other, ["timecreated"] = at,
    };
}
