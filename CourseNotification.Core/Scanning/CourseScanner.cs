using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Scanning;

/// <summary>
/// The second fan-out: evaluates a course's snapshots page by page with the engine and queues one
/// <c>notifications</c> message per due send that nobody has claimed yet.
/// </summary>
public sealed class CourseScanner(
    CourseStore courses,
    SnapshotStore snapshots,
    LedgerStore ledger,
    SignalSettingsProvider settingsProvider,
    QueueWriter queue,
    ILogger<CourseScanner> logger)
{
    private const int PageSize = 200;

    public async Task<int> ScanAsync(ScanCourseMessage message, CancellationToken cancellationToken)
    {
        var course = await courses.GetAsync(message.CourseId, cancellationToken);
        if (course is null)
        {
            logger.LogWarning("Course {CourseId} vanished before its scan", message.CourseId);
            return 0;
        }
        var settings = await settingsProvider.ForAsync(course, cancellationToken);
        var queued = 0;
        await foreach (var page in snapshots.ListPagesAsync(course.Id, PageSize, cancellationToken))
        {
            if (page.Count == 0)
            {
                continue;
            }
            var history = await ledger.ReadRangeAsync(course.Id, page[0].LearnerId, page[^1].LearnerId, cancellationToken);
            foreach (var snapshot in page)
            {
                var learnerHistory = history[snapshot.LearnerId].ToList();
                foreach (var decision in SignalEngine.Evaluate(course, snapshot, learnerHistory, settings, message.At))
                {
                    if (decision is { State: DecisionState.Due, InFlight: false, Anchor: { } anchor })
                    {
                        await queue.SendAsync(
                            StorageNames.NotificationsQueue,
                            new NotificationMessage(course.Id, snapshot.LearnerId, decision.Signal, anchor, decision.Repeat, message.At),
                            cancellationToken);
                        queued++;
                    }
                }
            }
        }
        logger.LogInformation("Scan of course {CourseId} as of {At} queued {SendCount} sends", course.Id, message.At, queued);
        return queued;
    }
}
