using CourseNotification.Cli.Local;
using Microsoft.Extensions.Configuration;

namespace CourseNotification.Tests.Integration;

/// <summary>
/// The real services the integration and end-to-end tests use: Azurite and maildev, started from
/// node_modules on free loopback ports once per test run (on first use) and stopped after it.
/// </summary>
[TestClass]
public static class SharedServices
{
    private static readonly Lazy<Task<AzuriteServer>> LazyAzurite = new(AzuriteServer.StartAsync);
    private static readonly Lazy<Task<MaildevServer>> LazyMaildev = new(MaildevServer.StartAsync);

    public static Task<AzuriteServer> AzuriteAsync() => LazyAzurite.Value;

    public static Task<MaildevServer> MaildevAsync() => LazyMaildev.Value;

    /// <summary>App settings pointing at the shared Azurite and maildev, plus any extra.</summary>
    public static async Task<IConfigurationRoot> ConfigurationAsync(params (string Key, string Value)[] extra)
    {
        var azurite = await AzuriteAsync();
        var maildev = await MaildevAsync();
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Email:Transport"] = "Smtp",
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = maildev.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:Smtp:Security"] = "None",
            ["Email:From"] = "formation@example.org",
            ["Platform:SiteName"] = "Organisme de test",
            // maildev has no quota; pacing has its own tests.
            ["Email:Quota:PerMinute"] = "0",
            ["Email:Quota:PerHour"] = "0",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    }

    [AssemblyCleanup]
    public static async Task StopAsync()
    {
        await Browser.Chromium.CloseAsync();
        if (LazyAzurite.IsValueCreated)
        {
            await (await LazyAzurite.Value).DisposeAsync();
        }
        if (LazyMaildev.IsValueCreated)
        {
            await (await LazyMaildev.Value).DisposeAsync();
        }
    }
}
