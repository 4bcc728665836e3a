using Azure.Data.Tables;

namespace CourseNotification.Storage;

/// <summary>
/// Bulk writes and reads against Table Storage within Azure's limits, which Azurite does not enforce: a
/// batch transaction holds at most 100 operations, all in one partition, each on a different row, in at
/// most 4 MiB. Independent requests run with bounded concurrency.
/// </summary>
internal static class TableBatches
{
    public const int MaxOperations = 100;

    /// <summary>Azure's limit for a batch's payload.</summary>
    public const long MaxBytes = 4L * 1024 * 1024;

    /// <summary>Room kept for the multipart envelope, and per operation for its headers and URL.</summary>
    private const long EnvelopeBytes = 64 * 1024;
    private const long OperationBytes = 1024;

    /// <summary>Requests in flight at once for one bulk operation.</summary>
    public const int Concurrency = 16;

    /// <summary>
    /// Splits <paramref name="actions"/> into batches that Azure accepts: one partition each, at most 100
    /// operations, no row twice, at most 4 MiB (sizes estimated from above). Order within a partition is kept.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<TableTransactionAction>> Plan(IEnumerable<TableTransactionAction> actions)
    {
        var batches = new List<IReadOnlyList<TableTransactionAction>>();
        foreach (var partition in actions.GroupBy(a => a.Entity.PartitionKey, StringComparer.Ordinal))
        {
            var batch = new List<TableTransactionAction>();
            var rows = new HashSet<string>(StringComparer.Ordinal);
            var bytes = EnvelopeBytes;
            foreach (var action in partition)
            {
                var size = EstimatedBytes(action.Entity);
                if (batch.Count == MaxOperations || bytes + size > MaxBytes || rows.Contains(action.Entity.RowKey))
                {
                    batches.Add(batch);
                    batch = [];
                    rows.Clear();
                    bytes = EnvelopeBytes;
                }
                batch.Add(action);
                rows.Add(action.Entity.RowKey);
                bytes += size;
            }
            if (batch.Count > 0)
            {
                batches.Add(batch);
            }
        }
        return batches;
    }

    /// <summary>
    /// An upper bound of an entity's bytes in a batch: JSON may escape a character into six bytes; other
    /// values take a few dozen.
    /// </summary>
    public static long EstimatedBytes(ITableEntity entity)
    {
        var bytes = OperationBytes + 6L * (entity.PartitionKey.Length + entity.RowKey.Length);
        if (entity is TableEntity properties)
        {
            foreach (var (name, value) in properties)
            {
                bytes += 6L * name.Length + value switch
                {
                    string text => 6L * text.Length + 2,
                    byte[] data => 4L * data.Length / 3 + 4,
                    BinaryData data => 4L * data.ToMemory().Length / 3 + 4,
                    _ => 64,
                };
            }
        }
        return bytes;
    }

    /// <summary>Submits each batch (a lone operation as a plain request), <see cref="Concurrency"/> at a time.</summary>
    public static Task SubmitAsync(TableClient table, IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(Plan(actions), Options(cancellationToken), async (batch, ct) => await SubmitOneAsync(table, batch, ct));

    public static async Task SubmitOneAsync(TableClient table, IReadOnlyList<TableTransactionAction> batch, CancellationToken cancellationToken)
    {
        if (batch.Count != 1)
        {
            await table.SubmitTransactionAsync(batch, cancellationToken);
            return;
        }
        var action = batch[0];
        switch (action.ActionType)
        {
            case TableTransactionActionType.Add:
                await table.AddEntityAsync(action.Entity, cancellationToken);
                break;
            case TableTransactionActionType.UpsertReplace:
                await table.UpsertEntityAsync(action.Entity, TableUpdateMode.Replace, cancellationToken);
                break;
            case TableTransactionActionType.UpsertMerge:
                await table.UpsertEntityAsync(action.Entity, TableUpdateMode.Merge, cancellationToken);
                break;
            case TableTransactionActionType.UpdateReplace:
                await table.UpdateEntityAsync(action.Entity, action.ETag, TableUpdateMode.Replace, cancellationToken);
                break;
            case TableTransactionActionType.UpdateMerge:
                await table.UpdateEntityAsync(action.Entity, action.ETag, TableUpdateMode.Merge, cancellationToken);
                break;
            case TableTransactionActionType.Delete:
                await table.DeleteEntityAsync(action.Entity.PartitionKey, action.Entity.RowKey, action.ETag, cancellationToken);
                break;
        }
    }

    public static ParallelOptions Options(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken };

    /// <summary>
    /// Groups ids (Moodle's, which come in runs) into key ranges worth one range query each: ids at most
    /// <paramref name="maxGap"/> apart share a range, and a range spans at most <paramref name="maxSpan"/> ids,
    /// so a range query never reads much more than what was asked. A range of one id is a point read.
    /// </summary>
    public static IReadOnlyList<(long First, long Last, int Count)> Ranges(IEnumerable<long> ids, int maxGap = 16, int maxSpan = 1000)
    {
        var ranges = new List<(long First, long Last, int Count)>();
        foreach (var id in ids.Distinct().Order())
        {
            if (ranges.Count > 0 && ranges[^1] is var (first, last, count) && id - last <= maxGap && id - first < maxSpan)
            {
                ranges[^1] = (first, id, count + 1);
            }
            else
            {
                ranges.Add((id, id, 1));
            }
        }
        return ranges;
    }
}
