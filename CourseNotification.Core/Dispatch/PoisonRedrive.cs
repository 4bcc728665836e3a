using CourseNotification.Storage;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Dispatch;

/// <summary>
/// Puts poisoned messages back on their queues (<c>cn redrive</c>, <c>POST /api/poison/redrive</c>), once
/// whatever made them fail is fixed. A send the ledger recorded as failed after its tries ran out is tried
/// again by its message (only refusals that will not change stay failed).
/// </summary>
public sealed class PoisonRedrive(StorageAccount storage, ILogger<PoisonRedrive> logger)
{
    public async Task<int> RedriveAsync(CancellationToken cancellationToken)
    {
        var moved = 0;
        foreach (var queue in new[] { StorageNames.ScanCourseQueue, StorageNames.NotificationsQueue })
        {
            var poison = storage.Queue(StorageNames.PoisonQueueOf(queue));
            var target = storage.Queue(queue);
            while ((await poison.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1), cancellationToken)).Value is { Length: > 0 } batch)
            {
                foreach (var message in batch)
                {
                    await target.SendMessageAsync(message.MessageText, cancellationToken);
                    await poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                    moved++;
                }
            }
        }
        logger.LogInformation("Redrove {Count} poisoned messages", moved);
        return moved;
    }
}
