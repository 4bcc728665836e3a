using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace CourseNotification.Storage;

/// <summary>
/// The ids (<c>jti</c>) of the Moodle grants already redeemed, so each grant opens one session. Kept in the
/// webhook-id table (its own partitions, <c>grant-</c>), dated with the grant's expiry: the nightly purge
/// drops them two days on, long after no grant could still carry them.
/// </summary>
public sealed class GrantStore(StorageAccount storage)
{
    private readonly TableClient _table = storage.Table(StorageNames.WebhooksTable);

    /// <summary>True the first time an id is used; false when it was used before (a replay). Atomic: an insert.</summary>
    public async Task<bool> TryUseAsync(string grantId, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(grantId)));
        try
        {
            await _table.AddEntityAsync(new TableEntity("grant-" + hash[0], hash) { ["At"] = expires }, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }
}
