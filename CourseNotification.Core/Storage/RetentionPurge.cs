using System.Globalization;
using Azure.Data.Tables;
using CourseNotification.Settings;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CourseNotification.Storage;

/// <summary>What a purge deleted.</summary>
public sealed record PurgeReport(int LedgerRows, int Answers, int Links, int WebhookIds, int QueuedMarks);

/// <summary>
/// The nightly purge of what is kept no longer than <c>Retention__*</c> says: sends that went out or
/// failed before the ledger's horizon, and requests to send again made before it that never went out
/// (their 7-day catch-up window long closed; never a send queued or being sent), answers given before the answers'
/// horizon, questionnaire links long expired, and webhook ids past their replay window. Each table is
/// read once with a filter across all its partitions (deleted courses' rows included) and deleted in
/// batches of one partition.
/// </summary>
public sealed class RetentionPurge(StorageAccount storage, IOptions<RetentionOptions> options, TimeProvider clock, ILogger<RetentionPurge> logger)
{
    /// <summary>Webhook ids are kept two days: the replay window is five minutes.</summary>
    private static readonly TimeSpan WebhookIdLifetime = TimeSpan.FromDays(2);

    /// <summary>A scan's queue marks speak for at most a week (the longest pacing delay and the grace after it).</summary>
    private static readonly TimeSpan QueuedMarkLifetime = TimeSpan.FromDays(8);

    public async Task<PurgeReport> PurgeAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var retention = options.Value;
        var ledger = retention.LedgerDays == 0 ? 0 : await DeleteAsync(
            StorageNames.LedgerTable,
            TableClient.CreateQueryFilter($"At lt {now.AddDays(-retention.LedgerDays)} and (State eq 'Sent' or State eq 'Failed' or State eq 'Rearmed')"),
            cancellationToken);
        var answers = retention.AnswersDays == 0 ? 0 : await DeleteAsync(
            StorageNames.AnswersTable,
            TableClient.CreateQueryFilter($"RowKey lt {Day(now.AddDays(-retention.AnswersDays))}"),
            cancellationToken);
        var links = await DeleteAsync(
            StorageNames.InvitationsTable, TableClient.CreateQueryFilter($"ExpiresAt lt {now.AddDays(-retention.ExpiredLinkDays)}"), cancellationToken);
        // Rows are dated by 'At'; rows kept before they were (partitioned by day, "yyyyMMdd") go by their day.
        var webhookHorizon = now - WebhookIdLifetime;
        var webhooks = await DeleteAsync(
            StorageNames.WebhooksTable,
            TableClient.CreateQueryFilter($"At lt {webhookHorizon} or PartitionKey lt {webhookHorizon.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}"),
            cancellationToken);
        // Scans forget their own stale marks; a course no longer scanned (deleted) leaves its last ones here.
        var queued = await DeleteAsync(
            StorageNames.QueuedTable,
            TableClient.CreateQueryFilter($"RowKey lt {(now - QueuedMarkLifetime).UtcTicks.ToString("D19", CultureInfo.InvariantCulture)}"),
            cancellationToken);
        var report = new PurgeReport(ledger, answers, links, webhooks, queued);
        logger.LogInformation(
            "Retention purge deleted {LedgerRows} ledger rows, {Answers} answers, {Links} expired links, {WebhookIds} webhook ids and {QueuedMarks} old queue marks",
            report.LedgerRows, report.Answers, report.Links, report.WebhookIds, report.QueuedMarks);
        return report;
    }

    private async Task<int> DeleteAsync(string tableName, string filter, CancellationToken cancellationToken)
    {
        var table = storage.Table(tableName);
        var deleted = 0;
        var batch = new List<TableTransactionAction>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            if (batch.Count == 100 || (batch.Count > 0 && batch[0].Entity.PartitionKey != row.PartitionKey))
            {
                deleted += await SubmitAsync(table, batch, cancellationToken);
            }
            batch.Add(new TableTransactionAction(TableTransactionActionType.Delete, row));
        }
        return deleted + await SubmitAsync(table, batch, cancellationToken);
    }

    private static async Task<int> SubmitAsync(TableClient table, List<TableTransactionAction> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return 0;
        }
        await table.SubmitTransactionAsync(batch, cancellationToken);
        var count = batch.Count;
        batch.Clear();
        return count;
    }

    private static string Day(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
