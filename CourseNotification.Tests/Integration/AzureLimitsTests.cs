using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using CourseNotification.Storage;
using Microsoft.Extensions.Configuration;

namespace CourseNotification.Tests.Integration;

/// <summary>
/// The limits every test's storage clients meet (<see cref="AzureLimits"/>): against the shared Azurite,
/// the largest of each that Azure accepts is written and read back, and one more is refused with
/// Azure's status and error code, naming the limit, with nothing written.
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed class AzureLimitsTests
{
    public TestContext TestContext { get; set; } = null!;

    private static async Task<(StorageAccount Storage, AzureLimits Limits, TableClient Table)> StartAsync()
    {
        var azurite = await SharedServices.AzuriteAsync();
        var limits = AzureLimits.For(azurite.ConnectionString);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(StorageAccount.SettingName, azurite.ConnectionString)]).Build();
        var storage = StorageAccount.FromConfiguration(configuration, options => options.AddPolicy(limits, HttpPipelinePosition.PerRetry));
        var table = storage.Table("limits" + Guid.NewGuid().ToString("N")[..12]);
        await table.CreateIfNotExistsAsync();
        return (storage, limits, table);
    }

    private static async Task RefusedAsync(string code, int status, Func<Task> write, string names)
    {
        var refused = await Assert.ThrowsAsync<RequestFailedException>(write);
        Assert.AreEqual(code, refused.ErrorCode, refused.Message);
        Assert.AreEqual(status, refused.Status, refused.Message);
        StringAssert.Contains(refused.Message, names);
    }

    private static async Task<bool> ExistsAsync(TableClient table, string pk, string rk) =>
        (await table.GetEntityIfExistsAsync<TableEntity>(pk, rk)).HasValue;

    [TestMethod]
    public async Task An_entity_of_1_MiB_is_written_and_one_byte_more_is_EntityTooLarge()
    {
        var (_, limits, table) = await StartAsync();
        // 4 + 2×2 (keys) + 15 full binary properties (8 + 2×3 + 4 + 65,536 bytes) + one that fills the rest: exactly 1 MiB.
        TableEntity Entity(string rk, int last)
        {
            var entity = new TableEntity("p", rk);
            for (var i = 0; i < 15; i++)
            {
                entity[$"b{i:D2}"] = new byte[AzureLimits.MaxValueBytes];
            }
            entity["b15"] = new byte[last];
            return entity;
        }
        var fill = AzureLimits.MaxEntityBytes - (4 + 2 * 2) - 15 * (8 + 6 + 4 + AzureLimits.MaxValueBytes) - (8 + 6 + 4);
        await table.AddEntityAsync(Entity("a", fill));
        Assert.HasCount(AzureLimits.MaxValueBytes, (await table.GetEntityAsync<TableEntity>("p", "a")).Value.GetBinary("b00"));
        await RefusedAsync("EntityTooLarge", 400, () => table.AddEntityAsync(Entity("b", fill + 1)), "1 MiB");
        Assert.IsFalse(await ExistsAsync(table, "p", "b"));
        // A replace is the same entity again.
        await RefusedAsync("EntityTooLarge", 400, () => table.UpsertEntityAsync(Entity("a", fill + 1), TableUpdateMode.Replace), "1048577 bytes");
        Assert.AreEqual(2, limits.Refused, "answered by the policy, never by Azurite");
    }

    [TestMethod]
    public async Task A_string_of_32768_characters_is_written_and_one_more_is_PropertyValueTooLarge()
    {
        var (_, _, table) = await StartAsync();
        await table.AddEntityAsync(new TableEntity("p", "a") { ["Text"] = new string('é', AzureLimits.MaxStringChars) });
        Assert.AreEqual(AzureLimits.MaxStringChars, (await table.GetEntityAsync<TableEntity>("p", "a")).Value.GetString("Text")!.Length);
        await RefusedAsync("PropertyValueTooLarge", 400,
            () => table.AddEntityAsync(new TableEntity("p", "b") { ["Text"] = new string('a', AzureLimits.MaxStringChars + 1) }), "'Text'");
        Assert.IsFalse(await ExistsAsync(table, "p", "b"));
        await RefusedAsync("PropertyValueTooLarge", 400,
            () => table.AddEntityAsync(new TableEntity("p", "c") { ["Bytes"] = new byte[AzureLimits.MaxValueBytes + 1] }), "'Bytes'");
    }

    [TestMethod]
    public async Task An_entity_of_252_properties_is_written_and_a_253rd_is_TooManyProperties_also_by_a_merge()
    {
        var (_, _, table) = await StartAsync();
        var full = new TableEntity("p", "a");
        for (var i = 0; i < AzureLimits.MaxCustomProperties; i++)
        {
            full[$"p{i}"] = i;
        }
        await table.AddEntityAsync(full);
        Assert.AreEqual(AzureLimits.MaxCustomProperties + 4, (await table.GetEntityAsync<TableEntity>("p", "a")).Value.Count, "252, the keys, the timestamp and the ETag");
        await RefusedAsync("TooManyProperties", 400, () => table.AddEntityAsync(new TableEntity(full) { RowKey = "b", ["one"] = 1 }), "253 custom properties");
        // A merge adds to what is stored: changing a property passes, a new one is the 253rd.
        await table.UpsertEntityAsync(new TableEntity("p", "a") { ["p0"] = 7 }, TableUpdateMode.Merge);
        await RefusedAsync("TooManyProperties", 400, () => table.UpsertEntityAsync(new TableEntity("p", "a") { ["more"] = true }, TableUpdateMode.Merge), "once merged");
        await RefusedAsync("TooManyProperties", 400, () => table.UpdateEntityAsync(new TableEntity("p", "a") { ["more"] = true }, ETag.All, TableUpdateMode.Merge), "once merged");
        var stored = (await table.GetEntityAsync<TableEntity>("p", "a")).Value;
        Assert.AreEqual(7, stored.GetInt32("p0"));
        Assert.IsFalse(stored.ContainsKey("more"));
    }

    [TestMethod]
    public async Task Keys_of_512_characters_are_written_longer_ones_or_with_a_forbidden_character_are_refused()
    {
        var (_, _, table) = await StartAsync();
        var longest = new string('k', AzureLimits.MaxKeyChars);
        await table.AddEntityAsync(new TableEntity(longest, longest));
        Assert.IsTrue(await ExistsAsync(table, longest, longest));
        await RefusedAsync("KeyValueTooLarge", 400, () => table.AddEntityAsync(new TableEntity("p", longest + "k")), "RowKey");
        await RefusedAsync("KeyValueTooLarge", 400, () => table.UpsertEntityAsync(new TableEntity(longest + "k", "r"), TableUpdateMode.Merge), "PartitionKey");
        foreach (var bad in new[] { "a/b", "a\\b", "a#b", "a?b", "a\tb", "a\nb", "a\u007fb", "a\u0085b" })
        {
            await RefusedAsync("OutOfRangeInput", 400, () => table.AddEntityAsync(new TableEntity("p", bad)), "out of range");
        }
    }

    [TestMethod]
    public async Task A_transaction_of_100_is_written_one_of_101_of_two_partitions_or_over_4_MiB_is_refused()
    {
        var (_, _, table) = await StartAsync();
        var hundred = Enumerable.Range(0, AzureLimits.MaxBatchOperations).Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"r{i:D3}"))).ToList();
        await table.SubmitTransactionAsync(hundred);
        Assert.HasCount(100, table.Query<TableEntity>(e => e.PartitionKey == "p").ToList());

        var more = Enumerable.Range(0, AzureLimits.MaxBatchOperations + 1).Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("q", $"r{i:D3}"))).ToList();
        await RefusedAsync("InvalidInput", 400, () => table.SubmitTransactionAsync(more), "100 changes");

        var crossing = new[] { new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("q", "a")), new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("z", "b")) };
        var refused = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(crossing));
        Assert.AreEqual("CommandsInBatchActOnDifferentPartitions", refused.ErrorCode, refused.Message);

        // One entity of a transaction over a limit fails it whole, as on Azure.
        var oneTooLarge = new[] { new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("q", "c")), new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("q", "d") { ["Text"] = new string('x', AzureLimits.MaxStringChars + 1) }) };
        refused = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(oneTooLarge));
        Assert.AreEqual("PropertyValueTooLarge", refused.ErrorCode, refused.Message);

        // 100 entities of two 21,000-character strings: each fits, together they are over 4 MiB.
        var heavy = Enumerable.Range(0, AzureLimits.MaxBatchOperations).Select(i => new TableTransactionAction(TableTransactionActionType.Add,
            new TableEntity("q", $"h{i:D3}") { ["A"] = new string('a', 21_000), ["B"] = new string('b', 21_000) })).ToList();
        await RefusedAsync("RequestBodyTooLarge", 413, () => table.SubmitTransactionAsync(heavy), "4 MiB");
        Assert.IsEmpty(table.Query<TableEntity>(e => e.PartitionKey == "q").ToList(), "nothing of a refused transaction is written");
    }

    [TestMethod]
    public async Task A_filter_of_15_comparisons_is_answered_and_one_of_16_is_InvalidInput()
    {
        var (_, _, table) = await StartAsync();
        await table.AddEntityAsync(new TableEntity("p", "r3"));
        string Filter(int comparisons) => string.Join(" or ", Enumerable.Range(0, comparisons).Select(i => $"RowKey eq 'r{i} eq ge'"));
        // Words inside string literals are not comparisons.
        Assert.IsEmpty(await ToListAsync(table.QueryAsync<TableEntity>(Filter(AzureLimits.MaxFilterComparisons))));
        Assert.HasCount(1, await ToListAsync(table.QueryAsync<TableEntity>($"PartitionKey eq 'p' and ({string.Join(" or ", Enumerable.Range(0, 14).Select(i => $"RowKey eq 'r{i}'"))})")));
        await RefusedAsync("InvalidInput", 400, () => ToListAsync(table.QueryAsync<TableEntity>(Filter(AzureLimits.MaxFilterComparisons + 1))), "16 comparisons");
    }

    [TestMethod]
    public async Task A_queue_message_of_64_KiB_as_sent_is_queued_and_one_more_is_MessageTooLarge()
    {
        var (storage, _, _) = await StartAsync();
        var queue = storage.Queue("limits-" + Guid.NewGuid().ToString("N")[..12]);
        await queue.CreateIfNotExistsAsync(cancellationToken: TestContext.CancellationToken);
        // Base64: 49,152 bytes are sent as 65,536 characters.
        var largest = new byte[AzureLimits.MaxQueueMessageBytes / 4 * 3];
        Random.Shared.NextBytes(largest);
        await queue.SendMessageAsync(new BinaryData(largest), cancellationToken: TestContext.CancellationToken);
        var received = (await queue.ReceiveMessageAsync(cancellationToken: TestContext.CancellationToken)).Value;
        CollectionAssert.AreEqual(largest, received.Body.ToArray());
        await RefusedAsync("MessageTooLarge", 400, () => queue.SendMessageAsync(new BinaryData(new byte[largest.Length + 1]), cancellationToken: TestContext.CancellationToken), "64 KiB");
        // An update of a message is held to the same.
        await RefusedAsync("MessageTooLarge", 400,
            () => queue.UpdateMessageAsync(received.MessageId, received.PopReceipt, new BinaryData(new byte[largest.Length + 1]), TimeSpan.Zero, TestContext.CancellationToken), "64 KiB");
        Assert.AreEqual(1, (await queue.GetPropertiesAsync(TestContext.CancellationToken)).Value.ApproximateMessagesCount);
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }
        return list;
    }
}
