using CourseNotification.Signals;
using CourseNotification.Storage;

namespace CourseNotification.Tests.Integration;

/// <summary>Re-arming a sent mail in the ledger (docs/signals.md, "Send again") against real Table Storage: one request, one claim, one send.</summary>
[TestClass]
[TestCategory("storage")]
public sealed class ResendLedgerTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 5, 9, 0, 0, TimeSpan.FromHours(1));
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    [TestMethod]
    public async Task Racing_requests_rearm_once_and_the_resend_is_claimed_once()
    {
        await using var core = await CoreServices.StartAsync();
        var ledger = core.Get<LedgerStore>();
        var key = new SendKey(TestIds.Next(), TestIds.Next(), SignalKeys.Welcome, new DateOnly(2026, 1, 5), 0);
        var claim = await ledger.TryClaimAsync(key, Now, Lease, CancellationToken.None);
        await ledger.MarkSentAsync(key, claim.ETag, Now, "<a@example.org>", CancellationToken.None);
        var history = await ledger.ReadLearnerAsync(key.CourseId, key.LearnerId, CancellationToken.None);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ledger.RearmAsync(key, history, "administrator", Now.AddDays(1), CancellationToken.None)));
        Assert.AreEqual(1, outcomes.Count(o => o == RearmOutcome.Rearmed), "two clicks at once: one request");
        history = await ledger.ReadLearnerAsync(key.CourseId, key.LearnerId, CancellationToken.None);
        var rearmed = history.Single(r => Resends.IsResend(r.Key));
        Assert.AreEqual((SendState.Rearmed, "administrator", 1000), (rearmed.State, rearmed.RearmedBy, rearmed.Key.Repeat));
        Assert.AreEqual(RearmOutcome.AlreadyAsked, await ledger.RearmAsync(key, history, "administrator", Now.AddDays(1), CancellationToken.None), "asked, not gone yet");

        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ledger.TryClaimAsync(rearmed.Key, Now.AddDays(1), Lease, CancellationToken.None, rearmed)));
        var won = claims.Single(c => c.Outcome == ClaimOutcome.Claimed);
        Assert.AreEqual(1, won.Attempt);
        await ledger.MarkSentAsync(rearmed.Key, won.ETag, Now.AddDays(1), "<b@example.org>", CancellationToken.None);
        Assert.AreEqual(ClaimOutcome.AlreadySent, (await ledger.TryClaimAsync(rearmed.Key, Now.AddDays(2), Lease, CancellationToken.None)).Outcome, "a duplicate message sends nothing");

        history = await ledger.ReadLearnerAsync(key.CourseId, key.LearnerId, CancellationToken.None);
        Assert.AreEqual("administrator", history.Single(r => r.Key == rearmed.Key).RearmedBy, "who asked stays on the row once sent");
        Assert.AreEqual(RearmOutcome.Rearmed, await ledger.RearmAsync(key, history, "administrator", Now.AddDays(2), CancellationToken.None), "once sent, it may be asked again");
        history = await ledger.ReadLearnerAsync(key.CourseId, key.LearnerId, CancellationToken.None);
        Assert.IsTrue(history.Any(r => r.Key.Repeat == 2000 && r.State == SendState.Rearmed));
    }
}
