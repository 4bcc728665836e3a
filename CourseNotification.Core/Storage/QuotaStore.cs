using System.Globalization;
using Azure.Data.Tables;

namespace CourseNotification.Storage;

/// <summary>
/// The provider quota shared by every instance: one row per window length (minute, hour) holding the
/// current window and how many sends it granted, updated under ETag so concurrent workers never exceed it.
/// </summary>
public sealed class QuotaStore(StorageAccount storage)
{
    private const string Partition = "quota";
    private const int MaxAttempts = 50;
    private readonly TableClient _table = storage.Table(StorageNames.QuotaTable);

    /// <summary>
    /// Takes one send from each limited window containing <paramref name="now"/>, both or neither (one
    /// transaction over the two rows of the partition); returns null when granted, or the instant the
    /// full window ends.
    /// </summary>
    public async Task<DateTimeOffset?> TryTakeAsync(DateTimeOffset now, int perMinute, int perHour, CancellationToken cancellationToken)
    {
        var utc = now.ToUniversalTime();
        var hour = new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
        var minute = hour.AddMinutes(utc.Minute);
        var windows = new List<(string Length, string Id, int Limit, DateTimeOffset End)>();
        if (perHour > 0)
        {
            windows.Add(("hour", Id(hour), perHour, hour.AddHours(1)));
        }
        if (perMinute > 0)
        {
            windows.Add(("minute", Id(minute), perMinute, minute.AddMinutes(1)));
        }
        if (windows.Count == 0)
        {
            return null;
        }

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var rows = new Dictionary<string, TableEntity>();
            await foreach (var row in _table.QueryAsync<TableEntity>(e => e.PartitionKey == Partition, cancellationToken: cancellationToken))
            {
                rows[row.RowKey] = row;
            }
            var actions = new List<TableTransactionAction>();
            foreach (var (length, id, limit, end) in windows)
            {
                var row = rows.GetValueOrDefault(length);
                var count = row?.GetString("Window") == id ? row.GetInt32("Count") ?? 0 : 0;
                if (count >= limit)
                {
                    return end;
                }
                var next = new TableEntity(Partition, length) { ["Window"] = id, ["Count"] = count + 1 };
                actions.Add(row is null
                    ? new TableTransactionAction(TableTransactionActionType.Add, next)
                    : new TableTransactionAction(TableTransactionActionType.UpdateReplace, next, row.ETag));
            }
            try
            {
                await _table.SubmitTransactionAsync(actions, cancellationToken);
                return null;
            }
            catch (TableTransactionFailedException e) when (e.Status is 409 or 412)
            {
                // Another worker took a send in between: count again.
            }
        }
        throw new TimeoutException($"The send quota stayed contended for {MaxAttempts} attempts.");
    }

    private static string Id(DateTimeOffset window) => window.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
}
