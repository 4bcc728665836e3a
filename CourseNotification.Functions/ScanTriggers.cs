using CourseNotification.Enrolments;
using CourseNotification.Scanning;
using CourseNotification.Storage;
using Microsoft.Azure.Functions.Worker;

namespace CourseNotification.Functions;

/// <summary>The timers (hourly scan, Moodle pull) and the scan's per-course fan-out (queue).</summary>
internal sealed class ScanTriggers(ScanPlanner planner, CourseScanner scanner, MoodleSync sync, TimeProvider clock)
{
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
