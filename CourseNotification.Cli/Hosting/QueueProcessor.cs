using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using CourseNotification.Settings;
using CourseNotification.Storage;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Cli.Hosting;

/// <summary>A queue handler: the message text and how many times it was dequeued.</summary>
public delegate Task QueueHandler(string body, long dequeueCount, CancellationToken cancellationToken);

/// <summary>
/// Processes one queue the way the Functions host does with host.json's settings: batches of
/// <c>batchSize</c>, delete on success, visible again after <c>visibilityTimeout</c> on failure, moved
/// to "&lt;queue&gt;-poison" once <c>maxDequeueCount</c> tries have failed.
/// </summary>
public sealed class QueueProcessor(StorageAccount storage, string queueName, QueueHandler handler, QueueSettings settings, ILogger logger)
{
    private readonly QueueClient _queue = storage.Queue(queueName);
    private readonly QueueClient _poison = storage.Queue(StorageNames.PoisonQueueOf(queueName));

    public string QueueName => queueName;

    /// <summary>Receives and handles one batch; returns how many messages it received.</summary>
    public async Task<int> ProcessBatchAsync(CancellationToken cancellationToken)
    {
        QueueMessage[] messages = (await _queue.ReceiveMessagesAsync(settings.BatchSize, settings.ProcessingLease, cancellationToken)).Value;
        // The whole batch at once, as the Functions host does (not one per core).
        await Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = settings.BatchSize, CancellationToken = cancellationToken },
            async (message, ct) => await ProcessAsync(message, ct));
        return messages.Length;
    }

    /// <summary>Messages still held (visible or not), as the queue reports them.</summary>
    public async Task<int> ApproximateCountAsync(CancellationToken cancellationToken) =>
        (await _queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;

    private async Task ProcessAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await handler(message.MessageText, message.DequeueCount, cancellationToken);
            await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (message.DequeueCount >= settings.MaxDequeueCount)
            {
                await _poison.SendMessageAsync(message.MessageText, CancellationToken.None);
                await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
                logger.LogError(e, "Message {MessageId} of {Queue} moved to poison after {Tries} tries", message.MessageId, queueName, message.DequeueCount);
            }
            else
            {
                await _queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: CancellationToken.None);
                logger.LogWarning(e, "Message {MessageId} of {Queue} failed (try {Try}), retried in {Delay}", message.MessageId, queueName, message.DequeueCount, settings.VisibilityTimeout);
            }
        }
    }
}
