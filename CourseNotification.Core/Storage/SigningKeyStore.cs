using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;

namespace CourseNotification.Storage;

/// <summary>
/// The key that signs learner links (unsubscribe), created at random on first use and kept in the
/// storage account (reachable only by the app's identity), so no secret lives in app settings.
/// </summary>
public sealed class SigningKeyStore(StorageAccount storage)
{
    private const string Partition = "signing";
    private const string Row = "links";
    private readonly TableClient _table = storage.Table(StorageNames.SecretsTable);
    private Task<byte[]>? _key;

    /// <summary>The key, read once per process (a failed read is tried again next time).</summary>
    public Task<byte[]> GetAsync(CancellationToken cancellationToken)
    {
        var key = _key;
        if (key is null || key.IsFaulted || key.IsCanceled)
        {
            // Racing first reads converge: whoever loses the insert reads the winner's key.
            _key = key = LoadOrCreateAsync(CancellationToken.None);
        }
        return key.WaitAsync(cancellationToken);
    }

    private async Task<byte[]> LoadOrCreateAsync(CancellationToken cancellationToken)
    {
        var existing = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, Row, cancellationToken: cancellationToken);
        if (existing.HasValue)
        {
            return existing.Value!.GetBinary("Key");
        }
        var key = RandomNumberGenerator.GetBytes(32);
        try
        {
            await _table.AddEntityAsync(new TableEntity(Partition, Row) { ["Key"] = key }, cancellationToken);
            return key;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Another instance created it first: everyone uses that one.
            return (await _table.GetEntityAsync<TableEntity>(Partition, Row, cancellationToken: cancellationToken)).Value.GetBinary("Key");
        }
    }
}
