using CourseNotification.Cli.Hosting;
using CourseNotification.Settings;
using CourseNotification.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CourseNotification.Tests.Integration;

/// <summary>The Cli's queue workers retry and poison like the Functions host with host.json's settings.</summary>
[TestClass]
[TestCategory("storage")]
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
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task The_pump_fetches_the_next_batch_while_a_slow_message_is_still_in_hand()
    {
        await using var core = await CoreServices.StartAsync();
        var storage = core.Get<StorageAccount>();
        var name = $"test-{TestIds.Next()}";
        await storage.Queue(name).CreateIfNotExistsAsync();
        await storage.Queue(name).SendMessageAsync("slow");
        for (var i = 0; i < 9; i++)
        {
            await storage.Queue(name).SendMessageAsync($"quick {i}");
        }
        // The slow message finishes only once every other one is done: a worker that waits for whole
        // batches (4 at a time) would wait forever; the pump goes on once 2 or fewer are in hand.
        var quickDone = 0;
        var othersDone = new TaskCompletionSource();
        var settings = new QueueSettings(BatchSize: 4, MaxDequeueCount: 3, VisibilityTimeout: TimeSpan.Zero, MaxPollingInterval: TimeSpan.FromSeconds(1)) { NewBatchThreshold = 2 };
        var processor = new QueueProcessor(storage, name, async (body, _, ct) =>
        {
            if (body == "slow")
            {
                await othersDone.Task.WaitAsync(ct);
            }
            else if (Interlocked.Increment(ref quickDone) == 9)
            {
                othersDone.SetResult();
            }
        }, settings, NullLogger.Instance);

        Assert.AreEqual(10, await processor.PumpAsync(TestContext.CancellationToken));
        Assert.AreEqual(0, await processor.ApproximateCountAsync(CancellationToken.None), "every message handled and deleted");
    }

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void Host_json_of_the_repository_is_what_the_workers_read()
    {
        var settings = QueueSettings.FromHostJson();
        Assert.AreEqual(5, settings.MaxDequeueCount);
        Assert.AreEqual(16, settings.BatchSize);
        Assert.AreEqual(8, settings.NewBatchThreshold);
        Assert.AreEqual(TimeSpan.FromSeconds(30), settings.VisibilityTimeout);
    }
}
