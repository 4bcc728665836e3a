using CourseNotification.Cli.Hosting;
using CourseNotification.Settings;
using CourseNotification.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CourseNotification.Tests.Integration;

/// <summary>The Cli's queue workers retry and poison like the Functions host with host.json's settings.</summary>
[TestClass]
public sealed class QueueProcessorTests
{
    [TestMethod]
    public async Task A_message_that_keeps_failing_lands_in_the_poison_queue_after_max_dequeue_count()
    {
        await using var core = await CoreServices.StartAsync();
        var storage = core.Get<StorageAccount>();
        var name = $"test-{TestIds.Next()}";
        await storage.Queue(name).CreateIfNotExistsAsync();
        await storage.Queue(StorageNames.PoisonQueueOf(name)).CreateIfNotExistsAsync();
        await storage.Queue(name).SendMessageAsync("{\"n\":1}");
        var tries = new List<long>();
        var settings = new QueueSettings(BatchSize: 4, MaxDequeueCount: 3, VisibilityTimeout: TimeSpan.Zero, MaxPollingInterval: TimeSpan.FromSeconds(1));
        var processor = new QueueProcessor(storage, name, (_, count, _) =>
        {
            tries.Add(count);
            throw new InvalidOperationException("always fails");
        }, settings, NullLogger.Instance);

        for (var i = 0; i < 10 && await processor.ApproximateCountAsync(CancellationToken.None) > 0; i++)
        {
            await processor.ProcessBatchAsync(CancellationToken.None);
        }

        CollectionAssert.AreEqual(new long[] { 1, 2, 3 }, tries);
        var poisoned = (await storage.Queue(StorageNames.PoisonQueueOf(name)).ReceiveMessagesAsync(10)).Value;
        Assert.AreEqual("{\"n\":1}", poisoned.Single().MessageText);
    }

    [TestMethod]
    public void Host_json_of_the_repository_is_what_the_workers_read()
    {
        var settings = QueueSettings.FromHostJson();
        Assert.AreEqual(5, settings.MaxDequeueCount);
        Assert.AreEqual(16, settings.BatchSize);
        Assert.AreEqual(TimeSpan.FromSeconds(30), settings.VisibilityTimeout);
    }
}
