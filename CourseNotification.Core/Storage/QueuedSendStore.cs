using System.Globalization;
using System.Text;
using Azure;
using Azure.Data.Tables;
using CourseNotification.Signals;

namespace CourseNotification.Storage;

/// <summary>
/// What the scans queued that may still wait in the notifications queue (a paced send waits hours or
/// days), so the next scans do not queue it again. Partition = course, one row per batch of sends a scan
/// queued: row key = when the last of them becomes visible (ticks) and a random id, the batch as lines
/// "learner|signal|anchor|repeat|visible-at". One write per batch instead of a ledger row per send; a
/// scan reads a course's rows once. A row is forgotten once every send in it is past
/// <see cref="SendRecord.QueuedGrace"/> (its message long visible: sent, or lost and to be queued again).
/// </summary>
public sealed class QueuedSendStore(StorageAccount storage)
{
    private readonly TableClient _table = storage.Table(StorageNames.QueuedTable);

    /// <summary>Records sends just queued by a scan of one course (their messages visible at the given instants).</summary>
    public async Task RecordAsync(long courseId, IReadOnlyList<(SendKey Key, DateTimeOffset VisibleAt)> sends, CancellationToken cancellationToken)
    {
        if (sends.Count == 0)
        {
            return;
        }
        var lines = new StringBuilder();
        foreach (var (key, visibleAt) in sends)
        {
            lines.Append(LedgerStore.RowKey(key)).Append('|').Append(visibleAt.UtcTicks.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        var last = sends.Max(s => s.VisibleAt);
        await _table.AddEntityAsync(new TableEntity(StorageNames.Key(courseId), RowKey(last) + "|" + Guid.NewGuid().ToString("N")) { ["Sends"] = lines.ToString() }, cancellationToken);
    }

    /// <summary>A course's queued sends that still speak for themselves at <paramref name="at"/>, by learner (the latest mark of a send wins).</summary>
    public async Task<ILookup<long, SendRecord>> ReadCourseAsync(long courseId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var latest = new Dictionary<SendKey, DateTimeOffset>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {StorageNames.Key(courseId)} and RowKey ge {RowKey(at - SendRecord.QueuedGrace)}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            foreach (var line in row.GetString("Sends")!.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var cut = line.LastIndexOf('|');
                var key = LedgerStore.ParseRowKey(courseId, line[..cut]);
                var visibleAt = new DateTimeOffset(long.Parse(line[(cut + 1)..], CultureInfo.InvariantCulture), TimeSpan.Zero);
                if (!latest.TryGetValue(key, out var known) || known < visibleAt)
                {
                    latest[key] = visibleAt;
                }
            }
        }
        return latest
            .Select(send => new SendRecord(send.Key, SendState.Queued, send.Value, null))
            .Where(record => record.IsCurrent(at))
            .ToLookup(record => record.Key.LearnerId);
    }

    /// <summary>Deletes a course's rows whose sends are all past their grace at <paramref name="at"/>; returns how many.</summary>
    public async Task<int> ForgetStaleAsync(long courseId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var stale = new List<TableTransactionAction>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {StorageNames.Key(courseId)} and RowKey lt {RowKey(at - SendRecord.QueuedGrace)}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            stale.Add(new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All));
        }
        foreach (var batch in stale.Chunk(100))
        {
            await _table.SubmitTransactionAsync(batch, cancellationToken);
        }
        return stale.Count;
    }

    /// <summary>Fixed-width ticks, so rows sort by time and a grace cut-off is one range.</summary>
    private static string RowKey(DateTimeOffset instant) => instant.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);
}
