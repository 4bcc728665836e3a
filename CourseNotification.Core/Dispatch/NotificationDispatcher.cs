using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using CourseNotification.Digest;
using CourseNotification.Email;
using CourseNotification.Enrolments;
using CourseNotification.Observability;
using CourseNotification.Questionnaires;
using CourseNotification.Scanning;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;
using CourseNotification.Templates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CourseNotification.Dispatch;

/// <summary>What became of one queued send.</summary>
public enum DispatchOutcome
{
    Sent,
    /// <summary>Already sent or failed for good (a duplicate message).</summary>
    Duplicate,
    /// <summary>Could not be sent and never will be (no address, refused by the provider): recorded as failed.</summary>
    Failed,
    /// <summary>The provider asked to wait: the message was put back on the queue, delayed, and nothing counts as a failure.</summary>
    Deferred,
    /// <summary>No longer due when its turn came (completed, suspended, accessed...): nothing sent.</summary>
    NoLongerDue,
    /// <summary>The provider had taken the mail on an earlier try whose record failed: only the record was written.</summary>
    Recorded,
}

/// <summary>Thrown to have the queue retry later: another worker holds the send's claim.</summary>
public sealed class SendHeldElsewhereException(SendKey key) : Exception($"Send {key} is claimed by another worker.");

/// <summary>
/// Handles one <c>notifications</c> message: re-checks with the engine that the send is still due now,
/// claims it in the ledger, renders the mail in the learner's language, sends it, marks it sent.
/// A failure before the provider took the mail releases the claim and rethrows, so the queue retries; the
/// last try records it as failed (retryable: the message goes to the poison queue, and any message that
/// comes for it later tries again). Once the provider took the mail, nothing sends it again: if the
/// record cannot be written, a message carrying only the record is left for a later try.
/// </summary>
public sealed class NotificationDispatcher(
    SendContextReader contexts,
    MailComposer composer,
    LedgerStore ledger,
    AnswerStore answers,
    SignalSettingsProvider settingsProvider,
    InvitationLinks invitationLinks,
    IMailTransport transport,
    QueueSettings queueSettings,
    QueueWriter queue,
    QuotaStore quotas,
    TimeProvider clock,
    IOptions<EmailOptions> email,
    TrainerDigests digests,
    ILogger<NotificationDispatcher> logger)
{

    public async Task<DispatchOutcome> HandleAsync(NotificationMessage message, long dequeueCount, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.StartConsumer("dispatch", message.TraceParent);
        activity?.SetTag("signal", message.Signal);
        activity?.SetTag("course.id", message.CourseId);
        activity?.SetTag("learner.id", message.LearnerId);
        var lag = (clock.GetUtcNow() - message.ScannedAt).TotalSeconds;
        activity?.SetTag("queue.lag.seconds", lag);
        Telemetry.DispatchLag.Record(lag, new KeyValuePair<string, object?>("signal", message.Signal));
        try
        {
            var outcome = await DispatchAsync(message, dequeueCount, cancellationToken);
            Count(message.Signal, outcome switch
            {
                DispatchOutcome.NoLongerDue => "no_longer_due",
                _ => outcome.ToString().ToLowerInvariant(),
            });
            return outcome;
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            Count(message.Signal, dequeueCount >= queueSettings.MaxDequeueCount ? "failed" : "retry");
            throw;
        }

        void Count(string signal, string outcome)
        {
            activity?.SetTag("outcome", outcome);
            Telemetry.Sends.Add(1, new KeyValuePair<string, object?>("signal", signal), new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    private async Task<DispatchOutcome> DispatchAsync(NotificationMessage message, long dequeueCount, CancellationToken cancellationToken)
    {
        var key = new SendKey(message.CourseId, message.LearnerId, message.Signal, message.Anchor, message.Repeat);
        var now = clock.GetUtcNow();
        if (message.SentAs is { } sentAs)
        {
            await ledger.RecordSentAsync(key, now, sentAs);
            logger.LogInformation("Recorded {Signal} to learner {LearnerId} in course {CourseId} as sent (the provider took it on an earlier try)", key.Signal, key.LearnerId, key.CourseId);
            return DispatchOutcome.Recorded;
        }
        var prepared = key.Signal == TrainerDigest.Signal
            ? await PrepareDigestAsync(key, message.ScannedAt, now, cancellationToken)
            : await PrepareLearnerMailAsync(key, now, cancellationToken);
        if (prepared is null)
        {
            return DispatchOutcome.NoLongerDue;
        }

        var quota = email.Value.Quota;
        if (await quotas.TryTakeAsync(now, quota.PerMinute, quota.PerHour, cancellationToken) is { } windowEnd)
        {
            // Over the provider's quota: wait for the next window instead of failing (docs/signals.md, "Pacing").
            await queue.SendAsync(StorageNames.NotificationsQueue, message, cancellationToken, windowEnd - now);
            await ledger.MarkQueuedAsync(key, windowEnd, cancellationToken);
            logger.LogInformation("Quota reached: {Signal} for learner {LearnerId} waits until {WindowEnd}", key.Signal, key.LearnerId, windowEnd);
            return DispatchOutcome.Deferred;
        }

        var claim = await ledger.TryClaimAsync(key, now, queueSettings.ClaimLease, cancellationToken, prepared.Known);
        switch (claim.Outcome)
        {
            case ClaimOutcome.AlreadySent or ClaimOutcome.AlreadyFailed:
                logger.LogInformation("Duplicate message for {SendKey} ignored ({Outcome})", key.ToString(), claim.Outcome);
                return DispatchOutcome.Duplicate;
            case ClaimOutcome.HeldByOther when key.Signal == TrainerDigest.Signal:
                // Each of the person's courses queues the week's digest in the same hour: the message that
                // holds the claim sends it (and is retried by its queue if it fails), the others step aside.
                logger.LogInformation("Duplicate message for {SendKey} ignored ({Outcome})", key.ToString(), claim.Outcome);
                return DispatchOutcome.Duplicate;
            case ClaimOutcome.HeldByOther:
                throw new SendHeldElsewhereException(key);
        }

        string providerId;
        try
        {
            if (await prepared.ComposeAsync(claim) is not { } mail)
            {
                await ledger.MarkFailedAsync(key, claim.ETag, now, "no email address known for the learner", retryable: false);
                logger.LogWarning("No address for learner {LearnerId}: {Signal} recorded as failed", key.LearnerId, key.Signal);
                return DispatchOutcome.Failed;
            }
            // The claim may have been lost while the mail was prepared (a worker starved of CPU, or stalled on
            // storage, past its lease, and another took the send over): prove it is still ours and extend it
            // from now, or send nothing. Then the hand-over is bounded well inside that fresh lease.
            using var budget = new CancellationTokenSource(SendBudget, clock);
            if (await ledger.RenewClaimAsync(key, claim, clock.GetUtcNow(), queueSettings.ClaimLease, CancellationToken.None) is not { } held)
            {
                logger.LogWarning("Claim of {SendKey} lost before sending (its lease ran out): nothing sent, left to the worker that holds it", key.ToString());
                throw new SendHeldElsewhereException(key);
            }
            claim = held;
            // While the mail is handed over the claim is kept alive (a relay slow to answer, a busy machine),
            // so that no other worker takes over a send this one is still sending.
            using var keeper = new ClaimKeeper(ledger, key, claim, queueSettings.ClaimLease, clock, logger);
            try
            {
                // Not the caller's token: a send once started is finished, whatever the caller says (SMTP cannot tell
                // a mail cut off after the server took it from one never sent). The budget only stops what comes
                // before the hand-over (waiting for a connection, connecting): see IMailTransport.SendAsync.
                providerId = await transport.SendAsync(mail, budget.Token);
            }
            finally
            {
                claim = await keeper.StopAsync();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The budget ran out before the hand-over (over SMTP nothing was handed over; over ACS a retry
            // repeats the same request, which ACS takes once): a later try sends it.
            var reason = $"the send did not complete within {SendBudget.TotalSeconds:0.#} s";
            await ReleaseOrFailAsync(reason);
            throw new TimeoutException(reason);
        }
        catch (SendHeldElsewhereException)
        {
            throw;
        }
        catch (MailThrottledException throttled)
        {
            await ledger.ReleaseAsync(key, claim.ETag, clock.GetUtcNow(), throttled.Message, CancellationToken.None);
            await queue.SendAsync(StorageNames.NotificationsQueue, message, CancellationToken.None, throttled.RetryAfter);
            logger.LogWarning("Provider over quota: {Signal} for learner {LearnerId} deferred by {Delay}", key.Signal, key.LearnerId, throttled.RetryAfter);
            return DispatchOutcome.Deferred;
        }
        catch (MailRejectedException rejected)
        {
            await ledger.MarkFailedAsync(key, claim.ETag, clock.GetUtcNow(), rejected.Message, retryable: false);
            // The provider's words may name the recipient: they go to the ledger (for the administrator), not to the logs.
            logger.LogError("Provider refused {Signal} for learner {LearnerId} in course {CourseId}; reason in the ledger", key.Signal, key.LearnerId, key.CourseId);
            return DispatchOutcome.Failed;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await ReleaseOrFailAsync($"{e.GetType().Name}: {e.Message}", e);
            throw;
        }

        // Sent: from here on nothing may stop the record of it, or a retry would send it again.
        // (Recorded within the lease renewed above, unless the worker stalls even longer than that: the
        // takeover that follows then finds a mail already out and, over SMTP, sends it again; see SendBudget.)
        if (prepared.AfterSentAsync is { } afterSent)
        {
            await afterSent(claim);
        }
        await RecordSentAsync(message, key, claim, providerId);
        logger.LogInformation("Sent {Signal} to learner {LearnerId} in course {CourseId}", key.Signal, key.LearnerId, key.CourseId);
        return DispatchOutcome.Sent;

        // A try that failed before the provider took the mail: the claim goes back (the queue retries), or on the last try the failure is recorded.
        async Task ReleaseOrFailAsync(string reason, Exception? e = null)
        {
            if (dequeueCount >= queueSettings.MaxDequeueCount)
            {
                await ledger.MarkFailedAsync(key, claim.ETag, clock.GetUtcNow(), reason, retryable: true);
                logger.LogError(e, "Giving up {Signal} for learner {LearnerId} in course {CourseId} after {Tries} tries", key.Signal, key.LearnerId, key.CourseId, dequeueCount);
            }
            else
            {
                await ledger.ReleaseAsync(key, claim.ETag, clock.GetUtcNow(), reason, CancellationToken.None);
                logger.LogWarning(e, "Try {Try} of {Signal} for learner {LearnerId} in course {CourseId} failed", dequeueCount, key.Signal, key.LearnerId, key.CourseId);
            }
        }
    }

    /// <summary>
    /// How long a send may wait to reach the provider (a free connection, connecting) once its claim was
    /// renewed: half the claim's lease; past it the try gives up unsent and the claim goes back.
    /// Exactly once, precisely: a mail goes to the provider only from a worker that proved, a moment before,
    /// with the claim's ETag, that it holds the send's claim; while it hands the mail over it renews that
    /// claim every third of the lease, so no other worker may take the send over while it is alive and
    /// answering. What a lease cannot promise is that a worker frozen longer than the lease after that proof
    /// (a stopped process, a starved machine) or one that dies between the provider's "taken" and the
    /// ledger's record is not overtaken: then over SMTP, which has no idempotency key, the mail can go out
    /// twice; over ACS the same Repeatability-Request-ID (derived from the send's key) makes the provider
    /// take it once (within ACS's repeatability window).
    /// </summary>
    private TimeSpan SendBudget => queueSettings.ClaimLease / 2;

    /// <summary>
    /// Renews a claim every third of its lease, with its ETag, while its worker hands the mail over; stops
    /// at the first renewal refused (the claim was lost: too late to stop the mail, the record says sent).
    /// </summary>
    private sealed class ClaimKeeper : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _keeping;
        private Claim _claim;

        public ClaimKeeper(LedgerStore ledger, SendKey key, Claim claim, TimeSpan lease, TimeProvider clock, ILogger logger)
        {
            _claim = claim;
            _keeping = KeepAsync();

            async Task KeepAsync()
            {
                while (true)
                {
                    try
                    {
                        await Task.Delay(lease / 3, clock, _stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    try
                    {
                        // Not cancelled once started: the ETag it returns is the one the record must use.
                        if (await ledger.RenewClaimAsync(key, _claim, clock.GetUtcNow(), lease, CancellationToken.None) is not { } renewed)
                        {
                            logger.LogWarning("Claim of {SendKey} lost while its mail was being handed over", key.ToString());
                            return;
                        }
                        _claim = renewed;
                    }
                    catch (Exception e)
                    {
                        // Storage failing for a moment: the lease still runs, the next beat tries again.
                        logger.LogDebug(e, "Renewal of the claim of {SendKey} failed", key.ToString());
                    }
                }
            }
        }

        /// <summary>Stops renewing (after a renewal under way finishes) and gives the claim as it stands now.</summary>
        public async Task<Claim> StopAsync()
        {
            await _stop.CancelAsync();
            await _keeping;
            return _claim;
        }

        public void Dispose() => _stop.Dispose();
    }

    /// <summary>
    /// A send about to be claimed: the ledger's record of it (claims compare with it), the mail to send once
    /// claimed (null: no address known), and what to do once the provider took it.
    /// </summary>
    private sealed record PreparedSend(SendRecord? Known, Func<Claim, Task<OutgoingMail?>> ComposeAsync, Func<Claim, Task>? AfterSentAsync = null);

    /// <summary>A learner's mail for a signal of a course, still due now by the engine; null (nothing sent) otherwise.</summary>
    private async Task<PreparedSend?> PrepareLearnerMailAsync(SendKey key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await contexts.ReadAsync(key.CourseId, key.LearnerId, cancellationToken) is not { } context)
        {
            logger.LogInformation("Dropped {Signal} for learner {LearnerId} in course {CourseId}: enrolment gone", key.Signal, key.LearnerId, key.CourseId);
            return null;
        }
        var (course, snapshot, history, learner, settings) = context;
        // A failure whose tries ran out on a transient error is tried again by any message that comes for it
        // (redriven, or a duplicate): whether it is still due is decided as if that failure had not happened.
        var decided = history.Any(r => r.Key == key && r.Retryable) ? [.. history.Where(r => r.Key != key)] : history;
        var decision = SignalEngine.Evaluate(course, snapshot, decided, settings, now, key.Signal);
        if (decision is not { State: DecisionState.Due } due || due.Key != key)
        {
            logger.LogInformation(
                "Dropped {Signal} for learner {LearnerId} in course {CourseId}: now {State} ({Reason})",
                key.Signal, key.LearnerId, key.CourseId, decision?.State, decision?.Reason);
            return null;
        }
        if (learner is { OptedOut: true })
        {
            // The learner's own row is the consent that counts: the snapshot's copy may lag behind it.
            logger.LogInformation("Dropped {Signal} for learner {LearnerId} in course {CourseId}: opted out", key.Signal, key.LearnerId, key.CourseId);
            return null;
        }
        return new PreparedSend(
            history.FirstOrDefault(r => r.Key == key),
            async claim =>
            {
                if (learner is null || string.IsNullOrWhiteSpace(learner.Email))
                {
                    return null;
                }
                var questionnaire = await invitationLinks.ForSendAsync(key, settings, history, composer.LanguageOf(learner), now, cancellationToken);
                var (rendered, unsubscribe) = await composer.ComposeAsync(context, learner, key.Signal, now, questionnaire, cancellationToken);
                return composer.ToLearner(learner, rendered, unsubscribe, key, claim.FirstTriedAt);
            },
            claim => CountForReportsAsync(key, settings, history, claim.FirstTriedAt));
    }

    /// <summary>A person's weekly digest (docs/digest.md), due by the scan that queued it and worth sending; null (nothing sent) otherwise.</summary>
    private async Task<PreparedSend?> PrepareDigestAsync(SendKey key, DateTimeOffset scannedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await digests.PrepareAsync(key, scannedAt, now, cancellationToken) is not { } send)
        {
            return null;
        }
        return new PreparedSend(send.Known, claim => digests.ComposeAsync(send, key, claim.FirstTriedAt, now, cancellationToken));
    }

    /// <summary>
    /// Marks a send the provider took. When the ledger cannot be written (storage down past the retries), the
    /// claim is kept, never released, and a message carrying only the record goes back on the queue, so a
    /// later try writes it instead of sending again; only if the queue refuses that too does this throw.
    /// </summary>
    private async Task RecordSentAsync(NotificationMessage message, SendKey key, Claim claim, string providerId)
    {
        try
        {
            await ledger.MarkSentSurelyAsync(key, claim.ETag, clock.GetUtcNow(), providerId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Sent {Signal} to learner {LearnerId} in course {CourseId} but could not record it: left to a later try", key.Signal, key.LearnerId, key.CourseId);
            await queue.SendAsync(StorageNames.NotificationsQueue, message with { SentAs = providerId }, CancellationToken.None, RecordRetryDelay);
        }
    }

    /// <summary>How long a record left for later waits in the queue (storage that failed a moment ago may be back).</summary>
    private static readonly TimeSpan RecordRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A questionnaire send counts for its campaign on the day of its first try (the same day on every
    /// retry, so a retried count is the same count). A count that cannot be written is logged, never a
    /// reason to send again.
    /// </summary>
    private async Task CountForReportsAsync(SendKey key, SignalSettings settings, IReadOnlyList<SendRecord> history, DateTimeOffset firstTry)
    {
        if (CampaignTally.For(key, settings.Campaigns, history, firstTry, settingsProvider.Platform.SiteZone) is not { } tally)
        {
            return;
        }
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await answers.CountSendAsync(key, tally, CancellationToken.None);
                return;
            }
            catch (Exception e) when (attempt < 3)
            {
                logger.LogDebug(e, "Count of {Signal} for learner {LearnerId} failed (try {Try})", key.Signal, key.LearnerId, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), CancellationToken.None);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Count of {Signal} for learner {LearnerId} in course {CourseId} lost: reports will miss it", key.Signal, key.LearnerId, key.CourseId);
                return;
            }
        }
    }

    /// <summary>A Message-ID that is the same on every try of the same send (relays may de-duplicate on it).</summary>
    public static string MessageIdOf(SendKey key, string fromAddress) => OutgoingMail.MessageIdFor(Convert.ToHexStringLower(KeyHash(key)), fromAddress);

    /// <summary>The ACS Operation-Id / Repeatability-Request-ID of a send: a UUID derived from its ledger key.</summary>
    public static Guid OperationIdOf(SendKey key) => new(KeyHash(key));

    private static byte[] KeyHash(SendKey key) => SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString()))[..16];
}
