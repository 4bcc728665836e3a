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
    /// Pumps both queues until they hold nothing (failed messages wait out their visibility timeout
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
                received += await processor.PumpAsync(cancellationToken);
            }
            if (received > 0)
            {
                continue;
            }
            if (await HeldAsync(cancellationToken) == 0)
            {
                return true;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
        return false;
    }

    /// <summary>Waits, without processing anything itself, until the host's workers have emptied both queues; false after the timeout.</summary>
    public async Task<bool> WaitUntilEmptyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (await HeldAsync(cancellationToken) > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(50, cancellationToken);
        }
        return true;
    }

    /// <summary>Messages both queues still hold (visible or being processed).</summary>
    public async Task<int> HeldAsync(CancellationToken cancellationToken)
    {
        var held = 0;
        foreach (var processor in Processors)
        {
            held += await processor.ApproximateCountAsync(cancellationToken);
        }
        return held;
    }
}
