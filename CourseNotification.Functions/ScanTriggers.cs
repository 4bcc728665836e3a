using CourseNotification.Scanning;
using CourseNotification.Storage;
using Microsoft.Azure.Functions.Worker;

namespace CourseNotification.Functions;

/// <summary>The hourly scan (timer) and its per-course fan-out (queue).</summary>
internal sealed class ScanTriggers(ScanPlanner planner, CourseScanner scanner, TimeProvider clock)
{
    [Function("HourlyScan")]
    public Task HourlyScan([TimerTrigger("0 0 * * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        planner.FanOutAsync(clock.GetUtcNow(), cancellationToken);

    [Function("ScanCourse")]
    public Task ScanCourse([QueueTrigger(StorageNames.ScanCourseQueue)] string message, CancellationToken cancellationToken) =>
        scanner.ScanAsync(QueueWriter.Read<ScanCourseMessage>(message), cancellationToken);
}
