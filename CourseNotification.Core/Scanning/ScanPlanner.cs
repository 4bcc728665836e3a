using CourseNotification.Observability;
using CourseNotification.Storage;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Scanning;

/// <summary>The hourly scan's first fan-out: one <c>scan-course</c> message per course.</summary>
public sealed class ScanPlanner(CourseStore courses, QueueWriter queue, ILogger<ScanPlanner> logger)
{
    private const int PageSize = 500;

    public async Task<int> FanOutAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.Source.StartActivity("scan");
        activity?.SetTag("scan.at", at.ToString("O"));
        var count = 0;
        await foreach (var page in courses.ListIdPagesAsync(PageSize, cancellationToken))
        {
            foreach (var courseId in page)
            {
                await queue.SendAsync(StorageNames.ScanCourseQueue, new ScanCourseMessage(courseId, at, Telemetry.CurrentTraceParent), cancellationToken);
                count++;
            }
        }
        logger.LogInformation("Scan as of {At} queued {CourseCount} courses", at, count);
        return count;
    }
}
