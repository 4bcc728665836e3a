using Azure.Data.Tables;
using CourseNotification.Storage;

namespace CourseNotification.Tests.Storage;

/// <summary>Azure's batch limits, which Azurite does not enforce: 100 operations, one partition, each row once, 4 MiB.</summary>
[TestClass]
[TestCategory("unit")]
public sealed class TableBatchesTests
{
    private static TableTransactionAction Upsert(string partition, string row, int textLength = 10) =>
        new(TableTransactionActionType.UpsertReplace, new TableEntity(partition, row) { ["Text"] = new string('x', textLength) });

    [TestMethod]
    public void Batches_hold_at_most_100_operations_of_one_partition_and_each_row_once()
    {
        var random = new Random(7);
        var actions = Enumerable.Range(0, 5_000).Select(i => Upsert($"p{random.Next(12)}", $"r{random.Next(400)}")).ToList();

        var batches = TableBatches.Plan(actions);

        Assert.AreEqual(actions.Count, batches.Sum(b => b.Count), "nothing lost");
        foreach (var batch in batches)
        {
            Assert.IsInRange(1, TableBatches.MaxOperations, batch.Count);
            Assert.AreEqual(1, batch.Select(a => a.Entity.PartitionKey).Distinct().Count(), "one partition per batch");
            Assert.AreEqual(batch.Count, batch.Select(a => a.Entity.RowKey).Distinct().Count(), "a row at most once per batch");
        }
        // Within a partition the order is kept (a later change of a row lands after an earlier one).
        foreach (var partition in actions.GroupBy(a => a.Entity.PartitionKey))
        {
            CollectionAssert.AreEqual(partition.ToList(), batches.SelectMany(b => b).Where(a => a.Entity.PartitionKey == partition.Key).ToList());
        }
    }

    [TestMethod]
    public void Large_entities_split_batches_under_4_MiB()
    {
        // 60 entities of about 200,000 characters: 100 of them would be far over Azure's 4 MiB.
        var actions = Enumerable.Range(0, 60).Select(i => Upsert("p", $"r{i}", 200_000)).ToList();

        var batches = TableBatches.Plan(actions);

        Assert.IsGreaterThan(1, batches.Count);
        foreach (var batch in batches)
        {
            Assert.IsLessThanOrEqualTo(TableBatches.MaxBytes, batch.Sum(a => TableBatches.EstimatedBytes(a.Entity)));
        }
    }

    [TestMethod]
    public void Ids_in_runs_make_few_ranges_and_scattered_ids_make_point_reads()
    {
        var runs = TableBatches.Ranges([.. Enumerable.Range(1_000, 2_500).Select(i => (long)i), 90_000, 5_000_000]);

        Assert.AreEqual((1_000L, 1_999L, 1_000), runs[0], "a range spans at most 1,000 ids");
        Assert.AreEqual(5, runs.Count);
        Assert.AreEqual((90_000L, 90_000L, 1), runs[3]);
    }
}
