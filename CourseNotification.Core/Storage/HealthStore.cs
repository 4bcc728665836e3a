using System.Diagnostics;
using Azure.Data.Tables;

namespace CourseNotification.Storage;

/// <summary>
/// What the overview says of the intake: when Moodle last pushed, when the pull last ran, how it ended, and what
/// it did (courses, people, what Moodle refused to say of some of them).
/// </summary>
public sealed record IntakeHealth(DateTimeOffset? LastEventAt, DateTimeOffset? LastSyncAt, string? LastSyncError, string? LastSyncSummary = null);

/// <summary>
/// The intake's health in one row. The last event time is written at most every 30 seconds per instance,
/// so a burst of pushes costs one extra write, not one per event.
/// </summary>
public sealed class HealthStore(StorageAccount storage)
{
    private const string Partition = "health";
    private static readonly long Throttle = 30 * Stopwatch.Frequency;
    private readonly TableClient _table = storage.Table(StorageNames.HealthTable);
    private long _lastWrite = -Throttle;

    public async Task EventReceivedAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        var now = Stopwatch.GetTimestamp();
        var last = Interlocked.Read(ref _lastWrite);
        if (now - last < Throttle || Interlocked.CompareExchange(ref _lastWrite, now, last) != last)
        {
            return;
        }
        await _table.UpsertEntityAsync(new TableEntity(Partition, "intake") { ["LastEventAt"] = at }, TableUpdateMode.Merge, cancellationToken);
    }

    public Task SyncEndedAsync(DateTimeOffset at, string? error, CancellationToken cancellationToken) => SyncEndedAsync(at, error, null, cancellationToken);

    public Task SyncEndedAsync(DateTimeOffset at, string? error, string? summary, CancellationToken cancellationToken) =>
        _table.UpsertEntityAsync(
            new TableEntity(Partition, "intake") { ["LastSyncAt"] = at, ["LastSyncError"] = error ?? "", ["LastSyncSummary"] = summary ?? "" },
            TableUpdateMode.Merge, cancellationToken);

    public async Task<IntakeHealth> ReadAsync(CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, "intake", cancellationToken: cancellationToken);
        if (!row.HasValue)
        {
            return new IntakeHealth(null, null, null);
        }
        var error = row.Value!.GetString("LastSyncError");
        var summary = row.Value.GetString("LastSyncSummary");
        return new IntakeHealth(
            row.Value.GetDateTimeOffset("LastEventAt"), row.Value.GetDateTimeOffset("LastSyncAt"), string.IsNullOrEmpty(error) ? null : error,
            string.IsNullOrEmpty(summary) ? null : summary);
    }
}
