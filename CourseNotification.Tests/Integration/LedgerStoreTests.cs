using CourseNotification.Signals;
using CourseNotification.Storage;

namespace CourseNotification.Tests.Integration;

/// <summary>The claim protocol of the ledger (docs/signals.md, "Exactly once") against real Table Storage.</summary>
[TestClass]
[TestCategory("storage")]
public sealed class LedgerStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 5, 9, 0, 0, TimeSpan.FromHours(1));
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    private static SendKey NewKey() => new(TestIds.Next(), TestIds.Next(), SignalKeys.Welcome, new DateOnly(2026, 1, 5), 0);

    [TestMethod]
    public async Task Only_one_of_many_racing_workers_claims_a_send()
    {
        await using var core = await CoreServices.StartAsync();
        var ledger = core.Get<LedgerStore>();
        var key = NewKey();
        var claims = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => ledger.TryClaimAsync(key, Now, Lease, CancellationToken.None)));
        Assert.AreEqual(1, claims.Count(c => c.Outcome == ClaimOutcome.Claimed));
        Assert.AreEqual(5, claims.Count(c => c.Outcome == ClaimOutcome.HeldByOther));
    }

    [TestMethod]
    public async Task A_claim_left_by_a_crashed_worker_is_taken_over_after_its_lease()
    {
        await using var core = await CoreServices.StartAsync();
        var ledger = core.Get<LedgerStore>();
        var key = NewKey();
        var first = await ledger.TryClaimAsync(key, Now, Lease, CancellationToken.None);
        Assert.AreEqual(ClaimOutcome.Claimed, first.Outcome);
        Assert.AreEqual(ClaimOutcome.HeldByOther, (await ledger.TryClaimAsync(key, Now + Lease - TimeSpan.FromSeconds(1), Lease, CancellationToken.None)).Outcome);

        var second = await ledger.TryClaimAsync(key, Now + Lease, Lease, CancellationToken.None);
        Assert.AreEqual((ClaimOutcome.Claimed, 2), (second.Outcome, second.Attempt));

        // The crashed worker wakes up: its proof of claim is stale, so it cannot mark the send.
        await Assert.ThrowsExactlyAsync<Azure.RequestFailedException>(() => ledger.MarkSentAsync(key, first.ETag, Now, "x", CancellationToken.None));
        await ledger.MarkSentAsync(key, second.ETag, Now + Lease, "<id@example.org>", CancellationToken.None);
        Assert.AreEqual(ClaimOutcome.AlreadySent, (await ledger.TryClaimAsync(key, Now.AddDays(1), Lease, CancellationToken.None)).Outcome);
    }

    [TestMethod]
    public async Task The_history_of_a_page_of_learners_comes_back_by_learner()
    {
        await using var core = await CoreServices.StartAsync();
        var ledger = core.Get<LedgerStore>();
        var course = TestIds.Next();
        var keys = new[] { 10L, 11L, 12L }.Select(learner => new SendKey(course, learner, SignalKeys.Welcome, new DateOnly(2026, 1, 5), 0)).ToArray();
        var claims = new List<Claim>();
        foreach (var key in keys)
        {
            claims.Add(await ledger.TryClaimAsync(key, Now, Lease, CancellationToken.None));
        }
        await ledger.MarkFailedAsync(keys[2], claims[2].ETag, Now, "mailbox unknown", retryable: false);

        var history = await ledger.ReadRangeAsync(course, 11, 12, CancellationToken.None);
        Assert.IsFalse(history.Contains(10));
        Assert.AreEqual(SendState.Claimed, history[11].Single().State);
        Assert.AreEqual((SendState.Failed, "mailbox unknown"), (history[12].Single().State, history[12].Single().Reason));
        Assert.AreEqual(keys[2], history[12].Single().Key);
    }
}
