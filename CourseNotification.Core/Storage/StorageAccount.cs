using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace CourseNotification.Storage;

/// <summary>
/// The storage account's table and queue clients, from the same setting the Functions host reads:
/// <c>AzureWebJobsStorage</c> as a connection string, or identity-based as
/// <c>AzureWebJobsStorage__accountName</c> (optionally <c>__clientId</c> of a user-assigned identity,
/// or explicit <c>__tableServiceUri</c> / <c>__queueServiceUri</c>).
/// </summary>
public sealed class StorageAccount
{
    public const string SettingName = "AzureWebJobsStorage";

    public StorageAccount(TableServiceClient tables, QueueServiceClient queues)
    {
        Tables = tables;
        Queues = queues;
    }

    public TableServiceClient Tables { get; }

    public QueueServiceClient Queues { get; }

    public TableClient Table(string name) => Tables.GetTableClient(name);

    public QueueClient Queue(string name) => Queues.GetQueueClient(name);

    /// <param name="configureClients">Changes to both clients' options (a test's fault-injecting policy, its retry delays).</param>
    public static StorageAccount FromConfiguration(IConfiguration configuration, Action<ClientOptions>? configureClients = null)
    {
        // Base64, as the Functions queue trigger expects by default (host.json messageEncoding).
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        var tableOptions = new TableClientOptions();
        configureClients?.Invoke(queueOptions);
        configureClients?.Invoke(tableOptions);
        var connectionString = configuration[SettingName];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new StorageAccount(new TableServiceClient(connectionString, tableOptions), new QueueServiceClient(connectionString, queueOptions));
        }

        var section = configuration.GetSection(SettingName);
        var accountName = section["accountName"];
        var tableUri = section["tableServiceUri"] ?? (accountName is null ? null : $"https://{accountName}.table.core.windows.net");
        var queueUri = section["queueServiceUri"] ?? (accountName is null ? null : $"https://{accountName}.queue.core.windows.net");
        if (tableUri is null || queueUri is null)
        {
            throw new InvalidOperationException(
                $"{SettingName} is not set: give a connection string, or {SettingName}__accountName for a managed identity.");
        }

        var clientId = section["clientId"];
        TokenCredential credential = string.IsNullOrEmpty(clientId)
            ? new DefaultAzureCredential()
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
        return new StorageAccount(
            new TableServiceClient(new Uri(tableUri), credential, tableOptions),
            new QueueServiceClient(new Uri(queueUri), credential, queueOptions));
    }

    /// <summary>Creates every table and queue the service uses; cheap when they exist.</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        foreach (var table in StorageNames.Tables)
        {
            await Tables.CreateTableIfNotExistsAsync(table, cancellationToken);
        }
        foreach (var queue in StorageNames.Queues)
        {
            await Queues.GetQueueClient(queue).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
    }
}
