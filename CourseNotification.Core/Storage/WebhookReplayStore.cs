using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;

namespace CourseNotification.Storage;

/// <summary>
/// The ids of signed webhooks already applied, so the same id is applied once. A row is keyed by the id
/// alone (its SHA-256: any id fits a key), spread over 16 partitions, and dated: the nightly purge drops it
/// once no signature could still carry it (the replay window is five minutes; rows are kept two days).
/// </summary>
public sealed class WebhookReplayStore(StorageAccount storage)
{
    private readonly TableClient _table = storage.Table(StorageNames.WebhooksTable);

    /// <summary>True when a webhook with this id was applied before.</summary>
    public async Task<bool> WasAcceptedAsync(string webhookId, CancellationToken cancellationToken)
    {
        var (partition, row) = KeysOf(webhookId);
        return (await _table.GetEntityIfExistsAsync<TableEntity>(partition, row, select: ["At"], cancellationToken: cancellationToken)).HasValue;
    }

    /// <summary>Records the id of a webhook whose events were all applied (again: a second record changes nothing).</summary>
    public Task RecordAsync(string webhookId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var (partition, row) = KeysOf(webhookId);
        return _table.UpsertEntityAsync(new TableEntity(partition, row) { ["At"] = at }, TableUpdateMode.Replace, cancellationToken);
    }

    private static (string Partition, string Row) KeysOf(string webhookId)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(webhookId)));
        return ("id-" + hash[0], hash);
    }
}
