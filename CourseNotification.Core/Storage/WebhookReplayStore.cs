using Azure;
using Azure.Data.Tables;

namespace CourseNotification.Storage;

/// <summary>The ids of signed webhooks already accepted, partitioned by day, so the same id is applied once.</summary>
public sealed class WebhookReplayStore(StorageAccount storage)
{
    private readonly TableClient _table = storage.Table(StorageNames.WebhooksTable);

    /// <summary>Records the id; false when it was accepted before.</summary>
    public async Task<bool> TryRecordAsync(string webhookId, DateTimeOffset timestamp, CancellationToken cancellationToken)
    {
        try
        {
            var day = timestamp.UtcDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
            await _table.AddEntityAsync(new TableEntity(day, Uri.EscapeDataString(webhookId)), cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }
}
