using CourseNotification.Cli.Local;
using CourseNotification.Storage;
using Microsoft.Extensions.Configuration;

namespace CourseNotification.Cli.Hosting;

/// <summary>When <c>AzureWebJobsStorage</c> is not configured, starts Azurite (in memory) and points the settings at it.</summary>
public static class LocalStorage
{
    public static async Task<AzuriteServer?> EnsureAsync(IConfiguration configuration, TextWriter output)
    {
        if (!string.IsNullOrWhiteSpace(configuration[StorageAccount.SettingName])
            || configuration.GetSection(StorageAccount.SettingName).GetChildren().Any())
        {
            return null;
        }
        var azurite = await AzuriteServer.StartAsync();
        configuration[StorageAccount.SettingName] = azurite.ConnectionString;
        await output.WriteLineAsync($"AzureWebJobsStorage is not set: started Azurite in memory ({azurite.ConnectionString.Split(';').First(p => p.StartsWith("TableEndpoint", StringComparison.Ordinal))}); its data ends with this process.");
        return azurite;
    }
}
