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

    /// <summary>Receives one batch, handles it all at once and waits for all of it (a step at a time, for tests); returns how many messages it received.</summary>
    public async Task<int> ProcessBatchAsync(CancellationToken cancellationToken)
    {
        QueueMessage[] messages = (await _queue.ReceiveMessagesAsync(settings.BatchSize, settings.ProcessingLease, cancellationToken)).Value;
        // The whole batch at once, as the Functions host does (not one per core).
        await Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = settings.BatchSize, CancellationToken = cancellationToken },
            async (message, ct) => await ProcessAsync(message, ct));
        return messages.Length;
    }

    /// <summary>
    /// Handles messages until the queue gives none and none is in hand, the way the Functions host keeps
    /// a queue busy: a new batch is fetched as soon as no more than <c>newBatchThreshold</c> messages are
    /// still being handled, so a slow message never holds the next batch back. Returns how many it received.
    /// </summary>
    public async Task<int> PumpAsync(CancellationToken cancellationToken)
    {
        var inHand = new List<Task>();
        var received = 0;
        while (true)
        {
            QueueMessage[] messages = (await _queue.ReceiveMessagesAsync(settings.BatchSize, settings.ProcessingLease, cancellationToken)).Value;
            received += messages.Length;
            inHand.AddRange(messages.Select(message => ProcessAsync(message, cancellationToken)));
            if (inHand.Count == 0)
            {
                return received;
            }
            if (messages.Length == 0)
            {
                // Nothing visible for now: ask again once one of those in hand is done.
                await FinishOneAsync(inHand);
                continue;
            }
            while (inHand.Count > settings.NewBatchThreshold)
            {
                await FinishOneAsync(inHand);
            }
        }

        static async Task FinishOneAsync(List<Task> inHand)
        {
            var done = await Task.WhenAny(inHand);
            inHand.Remove(done);
            await done;
        }
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
