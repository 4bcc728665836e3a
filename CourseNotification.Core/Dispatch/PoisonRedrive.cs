using CourseNotification.Scanning;
using CourseNotification.Storage;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Dispatch;

/// <summary>
/// Puts poisoned messages back on their queues (<c>cn redrive</c>, <c>POST /api/poison/redrive</c>), once
/// whatever made them fail is fixed; a send the ledger recorded as failed becomes claimable again.
/// </summary>
public sealed class PoisonRedrive(StorageAccount storage, LedgerStore ledger, TimeProvider clock, ILogger<PoisonRedrive> logger)
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
                    if (queue == StorageNames.NotificationsQueue)
                    {
                        var send = QueueWriter.Read<NotificationMessage>(message.MessageText);
                        await ledger.ReopenAsync(new Signals.SendKey(send.CourseId, send.LearnerId, send.Signal, send.Anchor, send.Repeat), clock.GetUtcNow(), cancellationToken);
                    }
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
