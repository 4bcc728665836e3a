using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using CourseNotification.Cli.Hosting;
using CourseNotification.Enrolments;
using CourseNotification.Storage;
using CourseNotification.Tests.Security;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Tests.Integration;

/// <summary>
/// A signed batch of Moodle events is applied whole or not at all as far as its sender can tell: a bad
/// value anywhere refuses it before anything changes, a failure while applying leaves its id unrecorded
/// so the retry applies everything, and a replay is recognised across midnight.
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed class WebhookBatchTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task A_bad_date_in_the_second_event_refuses_the_batch_and_applies_none()
    {
        var now = new DateTimeOffset(2035, 3, 4, 10, 0, 0, TimeSpan.Zero);
        await using var services = await ServicesAsync(new ShiftableClock(now), null);
        var (course, first, second, third) = (TestIds.Next(), TestIds.Next(), TestIds.Next(), TestIds.Next());
        var batch = Batch(now,
            Created(course, first, now),
            Deleted(course, second, now, timestart: "99999999999999"),
            Created(course, third, now));

        var refused = await Assert.ThrowsExactlyAsync<EventRejectedException>(() => IngestAsync(services, batch, "msg_bad_date", now));

        Assert.AreEqual((400, "[1].other.userenrolment.timestart"), (refused.Status, refused.Field));
        var snapshots = services.Get<SnapshotStore>();
        Assert.IsNull(await snapshots.GetAsync(course, first, TestContext.CancellationToken), "the first event was not applied");
        Assert.IsFalse(await services.Get<WebhookReplayStore>().WasAcceptedAsync("msg_bad_date", TestContext.CancellationToken));
    }

    [TestMethod]
    public async Task A_batch_that_fails_while_applying_is_applied_whole_on_retry_and_once_after()
    {
        var now = new DateTimeOffset(2035, 3, 4, 10, 0, 0, TimeSpan.Zero);
        var failing = new FailSnapshotWrites();
        await using var services = await ServicesAsync(new ShiftableClock(now), failing);
        var (course, first, second, third) = (TestIds.Next(), TestIds.Next(), TestIds.Next(), TestIds.Next());
        var batch = Batch(now, Created(course, first, now), Created(course, second, now), Created(course, third, now));
        failing.LearnerKey = StorageNames.Key(third);

        await Assert.ThrowsAsync<Exception>(() => IngestAsync(services, batch, "msg_half", now), "storage failed on the third event");
        failing.LearnerKey = null;
        var snapshots = services.Get<SnapshotStore>();
        Assert.IsNotNull(await snapshots.GetAsync(course, first, TestContext.CancellationToken), "the first events were applied before the failure");
        Assert.IsNull(await snapshots.GetAsync(course, third, TestContext.CancellationToken));

        var retry = await IngestAsync(services, batch, "msg_half", now.AddSeconds(30));
        Assert.AreEqual((false, 3), (retry.Duplicate, retry.Received), "the sender's retry is applied, not answered as a duplicate");
        Assert.IsNotNull(await snapshots.GetAsync(course, third, TestContext.CancellationToken), "the third event is applied on retry");

        var again = await IngestAsync(services, batch, "msg_half", now.AddSeconds(60));
        Assert.IsTrue(again.Duplicate, "once the whole batch is applied, the id is known");
    }

    [TestMethod]
    public async Task A_webhook_replayed_just_after_midnight_is_recognised()
    {
        var clock = new ShiftableClock(new DateTimeOffset(2035, 3, 4, 23, 58, 0, TimeSpan.Zero));
        await using var services = await ServicesAsync(clock, null);
        var course = TestIds.Next();
        var sent = clock.GetUtcNow();
        var batch = Batch(sent, Created(course, TestIds.Next(), sent));
        Assert.IsFalse((await IngestAsync(services, batch, "msg_midnight", sent)).Duplicate);

        clock.MoveTo(new DateTimeOffset(2035, 3, 5, 0, 1, 0, TimeSpan.Zero));
        Assert.IsTrue((await IngestAsync(services, batch, "msg_midnight", sent)).Duplicate, "three minutes later, on the next UTC day, it is a replay");
    }

    [TestMethod]
    public async Task Ten_thousand_ignored_events_are_counted_in_one_log_line_without_their_names()
    {
        var now = new DateTimeOffset(2035, 3, 4, 10, 0, 0, TimeSpan.Zero);
        var logs = new CapturedLogs();
        await using var services = await ServicesAsync(new ShiftableClock(now), null, logs);
        var events = Enumerable.Range(0, 10_000).Select(i => new JsonObject { ["eventname"] = $@"\mod_x\event\secret_{i}", ["courseid"] = "1" }).ToArray();

        var report = await IngestAsync(services, Batch(now, events), "msg_ignored", now);

        Assert.AreEqual((10_000, 10_000), (report.Received, report.Ignored));
        var lines = logs.Lines.Where(l => l.Contains("MoodleEventIngest", StringComparison.Ordinal)).ToList();
        Assert.AreEqual(1, lines.Count, string.Join("\n", lines.Take(3)));
        StringAssert.Contains(lines[0], "10000");
        Assert.IsFalse(logs.Lines.Any(l => l.Contains("secret_", StringComparison.Ordinal)), "no event name is logged");
    }

    private static JsonObject Created(long course, long learner, DateTimeOffset at) => Event("user_enrolment_created", course, learner, at, new JsonObject { ["enrol"] = "manual" });

    private static JsonObject Deleted(long course, long learner, DateTimeOffset at, string timestart) => Event("user_enrolment_deleted", course, learner, at, new JsonObject
    {
        ["userenrolment"] = new JsonObject { ["timestart"] = timestart, ["timeend"] = "0", ["timecreated"] = "0" },
    });

    private static JsonObject Event(string name, long course, long learner, DateTimeOffset at, JsonObject other) => new()
    {
        ["eventname"] = @"\core\event\" + name,
        ["courseid"] = course.ToString(CultureInfo.InvariantCulture),
        ["userid"] = "2",
        ["relateduserid"] = learner.ToString(CultureInfo.InvariantCulture),
        ["objectid"] = (learner + 1).ToString(CultureInfo.InvariantCulture),
        ["other"] = other,
        ["timecreated"] = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The envelopes of one signed push, as the plugin batches them.</summary>
    private static string Batch(DateTimeOffset at, params JsonObject[] events) =>
        new JsonArray([.. events.Select((e, i) => (JsonNode)new JsonObject { ["id"] = $"evt_{i}", ["type"] = "moodle.event", ["created"] = at.ToString("O"), ["event"] = e })]).ToJsonString();

    private Task<EventReport> IngestAsync(CoreServices services, string body, string id, DateTimeOffset signedAt)
    {
        var timestamp = signedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(Secret["whsec_".Length..]), Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
        return services.Get<MoodleEventIngest>().IngestAsync(
            JsonNode.Parse(body)!, Encoding.UTF8.GetBytes(body), new WebhookHeaders(id, timestamp, "v1," + signature), TestContext.CancellationToken);
    }

    private static Task<CoreServices> ServicesAsync(TimeProvider clock, HttpPipelinePolicy? fault, ILoggerProvider? logs = null) =>
        CoreServices.StartAsync(clock, fault, logs, ("Moodle:WebhookSecrets", Secret));

    /// <summary>While armed, every call about one learner's snapshot row fails as it would when storage is unreachable.</summary>
    private sealed class FailSnapshotWrites : HttpPipelinePolicy
    {
        public volatile string? LearnerKey;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            var uri = Uri.UnescapeDataString(message.Request.Uri.ToString());
            if (LearnerKey is { } key && uri.Contains("/" + StorageNames.SnapshotsTable, StringComparison.Ordinal) && uri.Contains(key, StringComparison.Ordinal))
            {
                throw new IOException("Storage is down for this test.");
            }
            await ProcessNextAsync(message, pipeline);
        }
    }
}
