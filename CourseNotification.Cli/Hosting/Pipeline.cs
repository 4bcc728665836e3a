using CourseNotification.Dispatch;
using CourseNotification.Scanning;
using CourseNotification.Settings;
using CourseNotification.Storage;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Cli.Hosting;

/// <summary>
/// The two queues and their Core handlers, as the Functions app binds them (ScanCourse and
/// DispatchNotification): shared by <c>serve</c>'s workers and <c>dispatch --drain</c>.
/// </summary>
public sealed class Pipeline(StorageAccount storage, CourseScanner scanner, NotificationDispatcher dispatcher, QueueSettings settings, ILoggerFactory loggers)
{
    public IReadOnlyList<QueueProcessor> Processors { get; } =
    [
        new(storage, StorageNames.ScanCourseQueue,
            (body, _, ct) => scanner.ScanAsync(QueueWriter.Read<ScanCourseMessage>(body), ct),
            settings, loggers.CreateLogger("Queue.ScanCourse")),
        new(storage, StorageNames.NotificationsQueue,
            (body, tries, ct) => dispatcher.HandleAsync(QueueWriter.Read<NotificationMessage>(body), tries, ct),
            settings, loggers.CreateLogger("Queue.Notifications")),
    ];

    /// <summary>
    /// Processes both queues until they hold nothing (failed messages wait out their visibility timeout
    /// and are retried or poisoned as in the host); gives up after <paramref name="timeout"/>.
    /// </summary>
    public async Task<bool> DrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var received = 0;
            foreach (var processor in Processors)
            {
                received += await processor.ProcessBatchAsync(cancellationToken);
            }
            if (received > 0)
            {
                continue;
            }
            var held = 0;
            foreach (var processor in Processors)
            {
                held += await processor.ApproximateCountAsync(cancellationToken);
            }
            if (held == 0)
            {
                return true;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
        return false;
    }
}
