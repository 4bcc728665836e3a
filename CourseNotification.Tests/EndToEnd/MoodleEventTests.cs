using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CourseNotification.Enrolments;
using CourseNotification.Signals;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Tests.EndToEnd;

/// <summary>
/// Moodle's events over real HTTP, written as <c>\core\event\base::get_data()</c> serialises them
/// (numbers as strings, <c>other</c> objects), plain and in signed Standard Webhooks envelopes.
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed class MoodleEventTests
{
    private const string SecretA = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string SecretB = "whsec_c2Vjb25kLXNlY3JldC1mb3Itcm90YXRpb24=";
    private static readonly DateTimeOffset T0 = new(2034, 3, 2, 8, 0, 0, TimeSpan.Zero);

    public TestContext TestContext { get; set; } = null!;

    private static JsonObject Event(string name, long course, long user, long related, long objectId, DateTimeOffset at, JsonObject? other = null) => new()
    {
        ["eventname"] = @"\core\event\" + name,
        ["component"] = "core",
        ["action"] = name[(name.LastIndexOf('_') + 1)..],
        ["objectid"] = objectId.ToString(CultureInfo.InvariantCulture),
        ["crud"] = "u",
        ["edulevel"] = "0",
        ["contextid"] = "321",
        ["contextlevel"] = "50",
        ["contextinstanceid"] = course.ToString(CultureInfo.InvariantCulture),
        ["userid"] = user.ToString(CultureInfo.InvariantCulture),
        ["courseid"] = course.ToString(CultureInfo.InvariantCulture),
        ["relateduserid"] = related == 0 ? null : related.ToString(CultureInfo.InvariantCulture),
        ["anonymous"] = "0",
        ["other"] = other,
        ["timecreated"] = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
    };

    private async Task<HttpResponseMessage> PushAsync(HttpClient http, JsonNode body) =>
        await http.PostAsync("api/moodle/events", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), TestContext.CancellationToken);

    [TestMethod]
    public async Task Enrolment_access_completion_and_roles_apply_in_any_order_without_going_backwards()
    {
        await using var host = await LocalHost.StartAsync();
        var (serve, http) = (host.App, host.Http);
        var snapshots = serve.Services.GetRequiredService<SnapshotStore>();
        var (course, learner, enrolment, visitor) = (TestIds.Next(), TestIds.Next(), TestIds.Next(), TestIds.Next());

        var events = new JsonArray(
            Event("user_enrolment_created", course, 2, learner, enrolment, T0, new JsonObject { ["enrol"] = "self" }),
            Event("role_assigned", course, 2, learner, 5, T0, new JsonObject { ["id"] = "77", ["component"] = "", ["itemid"] = "0" }),
            Event("course_viewed", course, learner, 0, 0, T0.AddDays(3)),
            Event("course_viewed", course, learner, 0, 0, T0.AddDays(1)),
            Event("course_viewed", course, visitor, 0, 0, T0.AddDays(2)),
            Event("course_module_completion_updated", course, learner, learner, 991, T0.AddDays(4), new JsonObject { ["relateduserid"] = learner.ToString(CultureInfo.InvariantCulture), ["completionstate"] = "1" }),
            Event("course_completed", course, learner, learner, 55, T0.AddDays(5), new JsonObject { ["relateduserid"] = learner.ToString(CultureInfo.InvariantCulture) }),
            Event("course_completed", course, learner, learner, 55, T0.AddDays(6)),
            Event("role_unassigned", course, 2, learner, 5, T0.AddDays(-1)),
            Event("some_plugin_event", course, 2, learner, 1, T0));
        events.Add(new JsonObject { ["eventname"] = @"\mod_forum\event\post_created", ["courseid"] = "1" });
        var response = await PushAsync(http, events);
        Assert.AreEqual(HttpStatusCode.Accepted, response.StatusCode);
        var report = (await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.CancellationToken))!;
        Assert.AreEqual((11, 3), ((int)report["received"]!, (int)report["ignored"]!), "the visitor's view and the two unknown events");

        var snapshot = (await snapshots.GetAsync(course, learner, TestContext.CancellationToken))!;
        Assert.AreEqual(("self", T0), (snapshot.Enrolments.Single().Method, snapshot.Enrolments.Single().Created));
        Assert.AreEqual(T0.AddDays(1), snapshot.FirstAccess);
        Assert.AreEqual(T0.AddDays(4), snapshot.LastAccess, "access only moves forward; a module completion is an access");
        Assert.AreEqual(T0.AddDays(5), snapshot.CompletedAt, "the first completion counts");
        CollectionAssert.AreEqual(new[] { "student" }, snapshot.Roles!.ToArray(), "an older unassignment does not undo a newer assignment");
        Assert.IsNull(await snapshots.GetAsync(course, visitor, TestContext.CancellationToken), "a visitor who is not enrolled gets no snapshot");

        // The enrolment is deleted, then its creation arrives again (retry): it stays deleted.
        var deleted = Event("user_enrolment_deleted", course, 2, learner, enrolment, T0.AddDays(7), new JsonObject
        {
            ["userenrolment"] = new JsonObject { ["id"] = enrolment.ToString(CultureInfo.InvariantCulture), ["status"] = "0", ["enrolid"] = "12", ["userid"] = learner.ToString(CultureInfo.InvariantCulture), ["timestart"] = "0", ["timeend"] = "0", ["timecreated"] = T0.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
            ["enrol"] = "self",
        });
        Assert.AreEqual(HttpStatusCode.Accepted, (await PushAsync(http, deleted)).StatusCode);
        Assert.AreEqual(HttpStatusCode.Accepted, (await PushAsync(http, Event("user_enrolment_created", course, 2, learner, enrolment, T0, new JsonObject { ["enrol"] = "self" }))).StatusCode);
        var after = (await snapshots.GetAsync(course, learner, TestContext.CancellationToken))!;
        Assert.IsFalse(after.Enrolments.Single().IsActive);
        Assert.AreEqual(T0.AddDays(7), after.Enrolments.Single().RemovedAt);

        Assert.AreEqual(HttpStatusCode.Accepted, (await PushAsync(http, Event("role_unassigned", course, 2, learner, 5, T0.AddDays(8)))).StatusCode);
        Assert.AreEqual(0, (await snapshots.GetAsync(course, learner, TestContext.CancellationToken))!.Roles!.Count);
    }

    [TestMethod]
    public async Task Logins_move_forward_and_events_without_values_are_accepted_and_change_nothing()
    {
        await using var host = await LocalHost.StartAsync();
        var (serve, http) = (host.App, host.Http);
        var (course, learner, enrolment) = (TestIds.Next(), TestIds.Next(), TestIds.Next());
        (await http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["learners"] = new JsonArray(new JsonObject { ["id"] = learner, ["email"] = "l@example.org", ["lang"] = "fr" }),
            ["enrolments"] = new JsonArray(new JsonObject { ["id"] = enrolment, ["courseId"] = course, ["learnerId"] = learner, ["start"] = T0.ToUnixTimeSeconds(), ["end"] = T0.AddDays(30).ToUnixTimeSeconds() }),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        var before = await serve.Services.GetRequiredService<SnapshotStore>().GetAsync(course, learner, TestContext.CancellationToken);

        var response = await PushAsync(http, new JsonArray(
            Event("user_loggedin", 0, learner, 0, learner, T0.AddDays(2), new JsonObject { ["username"] = "l" }),
            Event("user_loggedin", 0, learner, 0, learner, T0.AddDays(1), new JsonObject { ["username"] = "l" }),
            Event("user_enrolment_updated", course, 2, learner, enrolment, T0.AddDays(3), new JsonObject { ["enrol"] = "manual" }),
            Event("user_updated", 0, 2, learner, learner, T0.AddDays(3))));
        var report = (await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.CancellationToken))!;
        Assert.AreEqual((4, 1), ((int)report["received"]!, (int)report["applied"]!), "only the newer login changes something");
        Assert.AreEqual(T0.AddDays(2), (await serve.Services.GetRequiredService<LearnerStore>().GetAsync(learner, TestContext.CancellationToken))!.LastLogin);
        var after = await serve.Services.GetRequiredService<SnapshotStore>().GetAsync(course, learner, TestContext.CancellationToken);
        Assert.AreEqual(before!.Enrolments.Single(), after!.Enrolments.Single(), "an update without values keeps the stored dates and status");
    }

    [TestMethod]
    public async Task User_deleted_erases_the_person_everywhere_and_keeps_anonymous_counts()
    {
        await using var host = await LocalHost.StartAsync();
        var (serve, http) = (host.App, host.Http);
        var (courseA, courseB, learner) = (TestIds.Next(), TestIds.Next(), TestIds.Next());
        (await http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["learners"] = new JsonArray(new JsonObject { ["id"] = learner, ["email"] = "gone@example.org", ["firstName"] = "Gone" }),
            ["enrolments"] = new JsonArray(
                new JsonObject { ["id"] = TestIds.Next(), ["courseId"] = courseA, ["learnerId"] = learner, ["start"] = 1767571200 },
                new JsonObject { ["id"] = TestIds.Next(), ["courseId"] = courseB, ["learnerId"] = learner, ["start"] = 1767571200 }),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        var ledger = serve.Services.GetRequiredService<LedgerStore>();
        var key = new SendKey(courseA, learner, SignalKeys.Welcome, new DateOnly(2026, 1, 5), 0);
        var claim = await ledger.TryClaimAsync(key, T0, TimeSpan.FromMinutes(1), TestContext.CancellationToken);
        await ledger.MarkSentAsync(key, claim.ETag, T0, "<x@example.org>", TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.Accepted, (await PushAsync(http, Event("user_deleted", 0, 2, learner, learner, T0, new JsonObject { ["username"] = "gone", ["email"] = "gone@example.org" }))).StatusCode);

        Assert.IsNull(await serve.Services.GetRequiredService<LearnerStore>().GetAsync(learner, TestContext.CancellationToken));
        var snapshots = serve.Services.GetRequiredService<SnapshotStore>();
        Assert.IsNull(await snapshots.GetAsync(courseA, learner, TestContext.CancellationToken));
        Assert.IsNull(await snapshots.GetAsync(courseB, learner, TestContext.CancellationToken));
        Assert.AreEqual(0, (await snapshots.CoursesOfLearnerAsync(learner, TestContext.CancellationToken)).Count);
        Assert.AreEqual(0, (await ledger.ReadLearnerAsync(courseA, learner, TestContext.CancellationToken)).Count);
        var table = serve.Services.GetRequiredService<StorageAccount>().Table(StorageNames.LedgerTable);
        var anonymous = table.Query<Azure.Data.Tables.TableEntity>(e => e.PartitionKey == StorageNames.Key(courseA)).ToList();
        Assert.AreEqual(1, anonymous.Count, "the send still counts");
        StringAssert.StartsWith(anonymous[0].RowKey, "erased|");
        Assert.IsFalse(anonymous[0].RowKey.Contains(learner.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        Assert.AreEqual("Sent", anonymous[0].GetString("State"));
    }

    [TestMethod]
    public async Task Course_updated_and_deleted_follow_Moodle()
    {
        await using var host = await LocalHost.StartAsync();
        var (serve, http) = (host.App, host.Http);
        var (course, learner) = (TestIds.Next(), TestIds.Next());
        (await http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Avant", ["visible"] = true }),
            ["enrolments"] = new JsonArray(new JsonObject { ["id"] = TestIds.Next(), ["courseId"] = course, ["learnerId"] = learner }),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        var courses = serve.Services.GetRequiredService<CourseStore>();

        await PushAsync(http, Event("course_updated", course, 2, 0, course, T0, new JsonObject { ["shortname"] = "X", ["fullname"] = "Après", ["updatedfields"] = new JsonObject { ["fullname"] = "Après", ["visible"] = "0", ["enddate"] = "2082758400" } }));
        var updated = (await courses.GetAsync(course, TestContext.CancellationToken))!;
        Assert.AreEqual(("Après", false, DateTimeOffset.FromUnixTimeSeconds(2082758400)), (updated.FullName, updated.Visible, updated.EndDate));

        await PushAsync(http, Event("course_deleted", course, 2, 0, course, T0, new JsonObject { ["shortname"] = "X", ["fullname"] = "Après" }));
        Assert.IsNull(await courses.GetAsync(course, TestContext.CancellationToken));
        Assert.IsNull(await serve.Services.GetRequiredService<SnapshotStore>().GetAsync(course, learner, TestContext.CancellationToken));
    }

    [TestMethod]
    public async Task Signed_envelopes_are_checked_replays_are_applied_once_and_secrets_rotate()
    {
        await using var host = await LocalHost.StartAsync(null, false, ("Moodle:WebhookSecrets", $"{SecretA},{SecretB}"));
        var (serve, http) = (host.App, host.Http);
        var snapshots = serve.Services.GetRequiredService<SnapshotStore>();
        var (course, learner) = (TestIds.Next(), TestIds.Next());
        var now = DateTimeOffset.UtcNow;
        var envelope = new JsonObject
        {
            ["id"] = $"msg_{learner}",
            ["type"] = "moodle.event",
            ["eventname"] = @"\core\event\user_enrolment_created",
            ["created"] = now.ToString("O"),
            ["site"] = "https://moodle.example.fr",
            ["event"] = Event("user_enrolment_created", course, 2, learner, TestIds.Next(), now, new JsonObject { ["enrol"] = "manual" }),
        };
        var body = envelope.ToJsonString();

        Assert.AreEqual(HttpStatusCode.Accepted, (await SignedAsync(http, body, $"msg_{learner}", now, SecretB)).StatusCode, "the second secret is valid too");
        Assert.IsNotNull(await snapshots.GetAsync(course, learner, TestContext.CancellationToken));

        var replay = await SignedAsync(http, body, $"msg_{learner}", now, SecretA);
        Assert.AreEqual(HttpStatusCode.OK, replay.StatusCode);
        Assert.IsTrue((bool)(await replay.Content.ReadFromJsonAsync<JsonObject>(TestContext.CancellationToken))!["duplicate"]!);

        await AssertRefusedAsync(await SignedAsync(http, body, "msg_other", now, "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))), "webhook-signature");
        await AssertRefusedAsync(await SignedAsync(http, body, "msg_old", now.AddMinutes(-6), SecretA), "webhook-timestamp");
        await AssertRefusedAsync(await SignedAsync(http, body, "msg_future", now.AddMinutes(6), SecretA), "webhook-timestamp");
        await AssertRefusedAsync(await SignedAsync(http, body.Replace("manual", "manuel", StringComparison.Ordinal), "msg_tampered", now, SecretA, signedBody: body), "webhook-signature");
        await AssertRefusedAsync(await PushAsync(http, envelope["event"]!.DeepClone()), "webhook-signature");
    }

    private async Task<HttpResponseMessage> SignedAsync(HttpClient http, string body, string id, DateTimeOffset at, string secret, string? signedBody = null)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(secret["whsec_".Length..]), Encoding.UTF8.GetBytes($"{id}.{timestamp}.{signedBody ?? body}")));
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/moodle/events") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp);
        request.Headers.Add("webhook-signature", $"v1,{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))} v1,{signature}");
        return await http.SendAsync(request, TestContext.CancellationToken);
    }

    private async Task AssertRefusedAsync(HttpResponseMessage response, string field)
    {
        Assert.AreEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.CancellationToken))!;
        Assert.AreEqual(field, (string?)problem["field"]);
    }
}
