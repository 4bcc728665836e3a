using CourseNotification.Cli.Hosting;
using CourseNotification.Cli.Local;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace CourseNotification.Benchmarks;

/// <summary>
/// What every end-to-end harness runs against: its own Azurite (in memory) and the local host on a free
/// loopback port, without queue workers (a harness drives the work itself), logging warnings only.
/// </summary>
internal sealed class BenchHost : IAsyncDisposable
{
    private BenchHost(AzuriteServer azurite, WebApplication app)
    {
        Azurite = azurite;
        App = app;
    }

    public AzuriteServer Azurite { get; }

    public WebApplication App { get; }

    public string ConnectionString => Azurite.ConnectionString;

    public IServiceProvider Services => App.Services;

    public Uri Url => new(App.Urls.First());

    /// <summary>Starts both; <paramref name="settings"/> adds app settings (no provider quota by default: the harness measures the service, not ACS's limit).</summary>
    public static async Task<BenchHost> StartAsync(params (string Key, string Value)[] settings)
    {
        var azurite = await AzuriteServer.StartAsync();
        var values = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Email:Quota:PerMinute"] = "0",
            ["Email:Quota:PerHour"] = "0",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }
        var app = ServeHost.Build(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), TimeProvider.System, "http://127.0.0.1:0", runWorkers: false, quietLogs: true);
        await app.StartAsync();
        return new BenchHost(azurite, app);
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
