using System.Text.Json.Nodes;
using CourseNotification.Enrolments;
using CourseNotification.Scanning;
using CourseNotification.Signals;
using CourseNotification.Storage;

namespace CourseNotification.Tests.Integration;

/// <summary>The scan against real storage: exactly the due sends are queued, and not those already claimed.</summary>
[TestClass]
[TestCategory("storage")]
public sealed class CourseScannerTests
{
    [TestMethod]
    public async Task The_scan_queues_each_due_send_once_and_skips_claimed_ones_across_pages()
    {
        await using var core = await CoreServices.StartAsync();
        var course = TestIds.Next();
        var opening = new DateTimeOffset(2029, 2, 5, 0, 0, 0, TimeSpan.FromHours(1));
        var learners = Enumerable.Range(0, CourseDecisions.PageSize + 30).Select(_ => TestIds.Next()).ToList();
        var body = new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["startDate"] = opening.ToString("O") }),
            ["learners"] = new JsonArray([.. learners.Select(id => (JsonNode)new JsonObject { ["id"] = id, ["email"] = $"s{id}@example.org", ["timeZone"] = "Europe/Paris" })]),
            ["enrolments"] = new JsonArray([.. learners.Select(id => (JsonNode)new JsonObject { ["id"] = id, ["courseId"] = course, ["learnerId"] = id, ["start"] = opening.ToUnixTimeSeconds() })]),
        };
        await core.Get<SnapshotIngest>().UpsertAsync(body, CancellationToken.None);
        var at = opening.AddHours(10);
        var claimed = learners[^1];
        await core.Get<LedgerStore>().TryClaimAsync(new SendKey(course, claimed, SignalKeys.Welcome, new DateOnly(2029, 2, 5), 0), at, TimeSpan.FromMinutes(2), CancellationToken.None);

        var queued = await core.Get<CourseScanner>().ScanAsync(new ScanCourseMessage(course, at), CancellationToken.None);

        Assert.AreEqual(learners.Count - 1, queued);
        var queue = core.Get<StorageAccount>().Queue(StorageNames.NotificationsQueue);
        var messages = new List<NotificationMessage>();
        while ((await queue.ReceiveMessagesAsync(32)).Value is { Length: > 0 } batch)
        {
            foreach (var message in batch)
            {
                messages.Add(QueueWriter.Read<NotificationMessage>(message.MessageText));
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }
        var mine = messages.Where(m => m.CourseId == course).ToList();
        CollectionAssert.AreEquivalent(learners.Take(learners.Count - 1).ToArray(), mine.Select(m => m.LearnerId).ToArray());
        Assert.IsTrue(mine.All(m => m is { Signal: SignalKeys.Welcome, Repeat: 0 } && m.Anchor == new DateOnly(2029, 2, 5)));
    }

    [TestMethod]
    public async Task What_a_scan_queued_is_not_queued_again_until_its_grace_is_past()
    {
        await using var core = await CoreServices.StartAsync();
        var course = TestIds.Next();
        var opening = new DateTimeOffset(2029, 3, 5, 0, 0, 0, TimeSpan.FromHours(1));
        var learners = Enumerable.Range(0, 5).Select(_ => TestIds.Next()).ToList();
        await core.Get<SnapshotIngest>().UpsertAsync(new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["startDate"] = opening.ToString("O") }),
            ["learners"] = new JsonArray([.. learners.Select(id => (JsonNode)new JsonObject { ["id"] = id, ["email"] = $"q{id}@example.org", ["timeZone"] = "Europe/Paris" })]),
            ["enrolments"] = new JsonArray([.. learners.Select(id => (JsonNode)new JsonObject { ["id"] = id, ["courseId"] = course, ["learnerId"] = id, ["start"] = opening.ToUnixTimeSeconds() })]),
        }, CancellationToken.None);
        var scanner = core.Get<CourseScanner>();
        var at = opening.AddHours(10);

        Assert.AreEqual(5, await scanner.ScanAsync(new ScanCourseMessage(course, at), CancellationToken.None));
        // The messages wait in the queue (nobody dispatches): the next scans leave them alone, one of them claimed meanwhile too.
        await core.Get<LedgerStore>().TryClaimAsync(new SendKey(course, learners[0], SignalKeys.Welcome, new DateOnly(2029, 3, 5), 0), at.AddMinutes(30), TimeSpan.FromMinutes(2), CancellationToken.None);
        Assert.AreEqual(0, await scanner.ScanAsync(new ScanCourseMessage(course, at.AddHours(1)), CancellationToken.None));
        Assert.AreEqual(0, await scanner.ScanAsync(new ScanCourseMessage(course, at.AddHours(5)), CancellationToken.None));
        // Six hours after they became visible and still nothing in the ledger: taken for lost and queued again
        // (a claim drops any duplicate), except the claimed one, which its worker or the queue's retry owns.
        var requeued = await scanner.ScanAsync(new ScanCourseMessage(course, at.AddHours(7)), CancellationToken.None);
        Assert.AreEqual(4, requeued, "the four sends nobody claimed");
        Assert.AreEqual(0, await core.Get<QueuedSendStore>().ForgetStaleAsync(course, at.AddHours(7), CancellationToken.None), "the scan forgot the stale marks itself");
    }
}
