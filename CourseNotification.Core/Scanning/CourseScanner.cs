using CourseNotification.Digest;
using CourseNotification.Observability;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CourseNotification.Scanning;

/// <summary>
/// The second fan-out: evaluates a course's snapshots page by page with the engine and queues one
/// <c>notifications</c> message per due send that nobody has claimed yet. The same pass finds the
/// course's digest recipients whose weekday and hour it is in their own zone and queues their weekly
/// digest (docs/digest.md): no read of its own, and the ledger's claim keeps it to one per person and
/// week however many of their courses queue it.
/// </summary>
public sealed class CourseScanner(
    CourseStore courses, CourseDecisions decisions, QueuedSendStore queuedSends, QueueWriter queue, IOptions<EmailOptions> email, ILogger<CourseScanner> logger,
    SignalSettingsProvider? settingsProvider = null)
{
    /// <summary>Azure Storage keeps a message invisible for at most 7 days.</summary>
    private static readonly TimeSpan MaxDelay = TimeSpan.FromDays(6);

    /// <summary>Due sends are queued by batches of this many, <see cref="SendsAtOnce"/> messages at a time, then recorded as queued in one row.</summary>
    private const int FlushSize = 100, SendsAtOnce = 8;

    private sealed record QueuedSend(SendKey Key, NotificationMessage Message, TimeSpan Delay);

    public async Task<int> ScanAsync(ScanCourseMessage message, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.StartConsumer("scan course", message.TraceParent);
        activity?.SetTag("course.id", message.CourseId);
        var course = await courses.GetAsync(message.CourseId, cancellationToken);
        if (course is null)
        {
            logger.LogWarning("Course {CourseId} vanished before its scan", message.CourseId);
            return 0;
        }
        // Pacing and fairness: the course's k-th send becomes visible k quota intervals from now, so every
        // course's first sends go out first and a big course cannot hold a small one behind it.
        var spacing = email.Value.Quota.Spacing;
        var queued = 0;
        var batch = new List<QueuedSend>();
        var flushing = Task.CompletedTask;
        var settings = settingsProvider is null ? null : await settingsProvider.ForAsync(course, cancellationToken);
        var digest = settings is { PlatformEnabled: true, Digest.Enabled: true } ? settings : null;
        var digests = new List<NotificationMessage>();
        await foreach (var learner in decisions.EvaluateAsync(course, message.At, cancellationToken))
        {
            if (digest is not null && TrainerDigest.IsRecipient(learner.Snapshot, digest.Digest)
                && TrainerDigest.DueWeek(digest.Digest, TimeZones.Resolve(learner.Snapshot.Profile?.TimeZone, digest.SiteZone), message.At) is { } week)
            {
                digests.Add(new NotificationMessage(TrainerDigest.SiteCourse, learner.Snapshot.LearnerId, TrainerDigest.Signal, week, 0, message.At, Telemetry.CurrentTraceParent));
            }
            foreach (var decision in learner.Decisions)
            {
                if (decision is { State: DecisionState.Due, InFlight: false, Key: { } key })
                {
                    var delay = spacing * queued < MaxDelay ? spacing * queued : MaxDelay;
                    batch.Add(new QueuedSend(key, new NotificationMessage(course.Id, key.LearnerId, key.Signal, key.Anchor, key.Repeat, message.At, Telemetry.CurrentTraceParent), delay));
                    queued++;
                }
            }
            if (batch.Count >= FlushSize)
            {
                // The batch goes out while the next pages are evaluated; one batch at a time.
                await flushing;
                flushing = FlushAsync([.. batch], cancellationToken);
                batch.Clear();
            }
        }
        await flushing;
        await FlushAsync(batch, cancellationToken);
        await queuedSends.ForgetStaleAsync(course.Id, message.At, cancellationToken);
        foreach (var digestMessage in digests)
        {
            await queue.SendAsync(StorageNames.NotificationsQueue, digestMessage, cancellationToken);
        }
        if (digests.Count > 0)
        {
            logger.LogInformation("Scan of course {CourseId} as of {At} queued {DigestCount} weekly digests", course.Id, message.At, digests.Count);
        }
        Telemetry.SendsQueued.Add(queued);
        activity?.SetTag("sends.queued", queued);
        logger.LogInformation("Scan of course {CourseId} as of {At} queued {SendCount} sends", course.Id, message.At, queued);
        return queued;
    }

    private async Task FlushAsync(IReadOnlyList<QueuedSend> sends, CancellationToken cancellationToken)
    {
        if (sends.Count == 0)
        {
            return;
        }
        await Parallel.ForEachAsync(sends, new ParallelOptions { MaxDegreeOfParallelism = SendsAtOnce, CancellationToken = cancellationToken }, async (send, ct) =>
            await queue.SendAsync(StorageNames.NotificationsQueue, send.Message, ct, send.Delay));
        // Recorded after the messages exist: a crash in between costs a duplicate message (the claim drops it), never a lost send.
        await queuedSends.RecordAsync(sends[0].Key.CourseId, [.. sends.Select(s => (s.Key, s.Message.ScannedAt + s.Delay))], cancellationToken);
    }
}
