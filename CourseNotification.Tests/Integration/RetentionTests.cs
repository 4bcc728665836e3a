using Azure.Data.Tables;
using CourseNotification.Signals;
using CourseNotification.Storage;
using Microsoft.Extensions.Time.Testing;

namespace CourseNotification.Tests.Integration;

/// <summary>
/// The nightly purge against Azurite: what is past its retention goes, across courses (a deleted
/// course's too), and nothing else: a send still queued, recent sends and answers, links expired lately,
/// today's webhook ids. The purge runs in 2020, before any other test's data, so it cannot touch them.
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed class RetentionTests
{
    private static readonly DateTimeOffset Now = new(2020, 1, 1, 3, 15, 0, TimeSpan.Zero);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Past_retention_goes_and_nothing_else()
    {
        await using var core = await CoreServices.StartAsync(new FakeTimeProvider(Now), ("Retention:LedgerDays", "365"), ("Retention:AnswersDays", "730"));
        var storage = core.Get<StorageAccount>();
        var (course, deletedCourse) = (TestIds.Next(), TestIds.Next());
        var ledger = storage.Table(StorageNames.LedgerTable);
        TableEntity Send(long courseId, long learner, string state, DateTimeOffset at) =>
            new(StorageNames.Key(courseId), LedgerStore.RowKey(new SendKey(courseId, learner, "welcome", DateOnly.FromDateTime(at.UtcDateTime), 0))) { ["State"] = state, ["At"] = at };
        await ledger.AddEntityAsync(Send(course, 1, "Sent", Now.AddDays(-400)), TestContext.CancellationToken);
        await ledger.AddEntityAsync(Send(course, 2, "Failed", Now.AddDays(-366)), TestContext.CancellationToken);
        await ledger.AddEntityAsync(Send(deletedCourse, 1, "Sent", Now.AddDays(-800)), TestContext.CancellationToken);
        await ledger.AddEntityAsync(Send(course, 3, "Queued", Now.AddDays(-400)), TestContext.CancellationToken);
        await ledger.AddEntityAsync(Send(course, 4, "Sent", Now.AddDays(-364)), TestContext.CancellationToken);
        // A "send again" asked long ago that never went out (the learner left before the next scan): it missed its window months ago.
        await ledger.AddEntityAsync(Send(course, 5, "Rearmed", Now.AddDays(-370)), TestContext.CancellationToken);
        await ledger.AddEntityAsync(Send(course, 6, "Rearmed", Now.AddDays(-10)), TestContext.CancellationToken);

        var answers = core.Get<AnswerStore>();
        StoredAnswer Answer(DateTimeOffset at) => new(course, "hot", "qualiopi-hot", "fr", DateOnly.FromDateTime(at.UtcDateTime), false, null, new Dictionary<string, IReadOnlyList<string>> { ["overall"] = ["4"] });
        await answers.AddAsync(Answer(Now.AddDays(-731)), TestContext.CancellationToken);
        await answers.AddAsync(Answer(Now.AddDays(-729)), TestContext.CancellationToken);

        var invitations = core.Get<InvitationStore>();
        Invitation Link(DateTimeOffset expires) => new(course, 1, "hot", new DateOnly(2019, 1, 1), "qualiopi-hot", "fr", expires, false);
        var old = await invitations.IssueAsync(Link(Now.AddDays(-91)), TestContext.CancellationToken);
        var recent = await invitations.IssueAsync(Link(Now.AddDays(-89)), TestContext.CancellationToken);

        var webhooks = core.Get<WebhookReplayStore>();
        var (oldId, newId) = ($"old-{course}", $"new-{course}");
        await webhooks.RecordAsync(oldId, Now.AddDays(-3), TestContext.CancellationToken);
        await webhooks.RecordAsync(newId, Now.AddHours(-1), TestContext.CancellationToken);

        // A deleted course's last queue marks: a week past their visibility they go, before that they stay.
        var queued = core.Get<QueuedSendStore>();
        SendKey Queued(long learner) => new(deletedCourse, learner, "welcome", new DateOnly(2019, 12, 1), 0);
        await queued.RecordAsync(deletedCourse, [(Queued(1), Now.AddDays(-9))], TestContext.CancellationToken);
        await queued.RecordAsync(deletedCourse, [(Queued(2), Now.AddDays(-7))], TestContext.CancellationToken);

        var report = await core.Get<RetentionPurge>().PurgeAsync(TestContext.CancellationToken);

        Assert.AreEqual(new PurgeReport(4, 1, 1, 1, 1), report);
        Assert.AreEqual(1, await queued.ForgetStaleAsync(deletedCourse, Now.AddDays(2), TestContext.CancellationToken), "the recent mark was still there");
        var left = new List<string>();
        foreach (var id in new[] { course, deletedCourse })
        {
            await foreach (var row in ledger.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {StorageNames.Key(id)}"), cancellationToken: TestContext.CancellationToken))
            {
                left.Add(row.GetString("State")!);
            }
        }
        CollectionAssert.AreEquivalent(new[] { "Queued", "Sent", "Rearmed" }, left, "the queued send, the recent one and the recent request to send again stay");
        var kept = new List<StoredAnswer>();
        await foreach (var page in answers.ListPagesAsync(course, DateOnly.MinValue, DateOnly.MaxValue, TestContext.CancellationToken))
        {
            kept.AddRange(page);
        }
        Assert.AreEqual(DateOnly.FromDateTime(Now.AddDays(-729).UtcDateTime), kept.Single().SubmittedOn);
        Assert.IsNull(await invitations.FindAsync(old, TestContext.CancellationToken));
        Assert.IsNotNull(await invitations.FindAsync(recent, TestContext.CancellationToken));
        Assert.IsFalse(await webhooks.WasAcceptedAsync(oldId, TestContext.CancellationToken), "an id past its window is forgotten");
        Assert.IsTrue(await webhooks.WasAcceptedAsync(newId, TestContext.CancellationToken), "today's ids are still known");
    }

    [TestMethod]
    public async Task A_retention_shorter_than_the_catch_up_windows_stops_the_start_naming_the_setting()
    {
        var e = await Assert.ThrowsExactlyAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
        {
            await using var core = await CoreServices.StartAsync(null, ("Retention:LedgerDays", "30"));
        });
        StringAssert.Contains(e.Message, "Retention__LedgerDays");
    }
}
