using CourseNotification.Enrolments;
using CourseNotification.Scanning;
using CourseNotification.Storage;
using Microsoft.Azure.Functions.Worker;

namespace CourseNotification.Functions;

/// <summary>The timers (hourly scan, Moodle pull, nightly retention purge) and the scan's per-course fan-out (queue).</summary>
internal sealed class ScanTriggers(ScanPlanner planner, CourseScanner scanner, MoodleSync sync, RetentionPurge purge, TimeProvider clock)
{
    /// <summary>Every night at 03:15 UTC: what is past its retention goes (Retention__*).</summary>
    [Function("RetentionPurge")]
    public Task PurgeExpired([TimerTrigger("0 15 3 * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        purge.PurgeAsync(cancellationToken);

    /// <summary>The pull from Moodle's web services every six hours (a no-op until Moodle__Url is set).</summary>
    [Function("MoodleSync")]
    public Task PullFromMoodle([TimerTrigger("0 30 */6 * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        sync.SyncAsync(baseline: false, cancellationToken);

    [Function("HourlyScan")]
    public Task HourlyScan([TimerTrigger("0 0 * * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        planner.FanOutAsync(clock.GetUtcNow(), cancellationToken);

    [Function("ScanCourse")]
    public Task ScanCourse([QueueTrigger(StorageNames.ScanCourseQueue)] string message, CancellationToken cancellationToken) =>
        scanner.ScanAsync(QueueWriter.Read<ScanCourseMessage>(message), cancellationToken);
}
