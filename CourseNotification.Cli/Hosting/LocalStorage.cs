using CourseNotification.Cli.Local;
using CourseNotification.Storage;
using Microsoft.Extensions.Configuration;

namespace CourseNotification.Cli.Hosting;

/// <summary>When <c>AzureWebJobsStorage</c> is not configured, starts Azurite (in memory) and points the settings at it.</summary>
public static class LocalStorage
{
    /// <summary>Whether the settings name a storage account (a connection string, or identity-based <c>AzureWebJobsStorage__*</c>).</summary>
    public static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[StorageAccount.SettingName])
        || configuration.GetSection(StorageAccount.SettingName).GetChildren().Any();

    public static async Task<AzuriteServer?> EnsureAsync(IConfiguration configuration, TextWriter output)
    {
        if (IsConfigured(configuration))
        {
            return null;
        }
        var azurite = await AzuriteServer.StartAsync();
        configuration[StorageAccount.SettingName] = azurite.ConnectionString;
        await output.WriteLineAsync($"AzureWebJobsStorage is not set: started Azurite in memory ({azurite.ConnectionString.Split(';').First(p => p.StartsWith("TableEndpoint", StringComparison.Ordinal))}); its data ends with this process.");
        return azurite;
    }
}
