using CourseNotification.Dispatch;
using CourseNotification.Scanning;
using CourseNotification.Storage;
using Microsoft.Azure.Functions.Worker;

namespace CourseNotification.Functions;

/// <summary>One queued send: the host retries a throwing call and moves it to notifications-poison after maxDequeueCount.</summary>
internal sealed class DispatchTriggers(NotificationDispatcher dispatcher)
{
    [Function("DispatchNotification")]
    public Task Dispatch(
        [QueueTrigger(StorageNames.NotificationsQueue)] string message, long dequeueCount, CancellationToken cancellationToken) =>
        dispatcher.HandleAsync(QueueWriter.Read<NotificationMessage>(message), dequeueCount, cancellationToken);
}
