using CourseNotification.Cli.Hosting;
using Microsoft.AspNetCore.Builder;
using CourseNotification.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Tests.Integration;

/// <summary>The Cli's <c>serve</c> on a free loopback port, against the shared Azurite (or one of its own) (with Azure's limits: <see cref="AzureLimits"/>) and maildev, with a client on it.</summary>
internal sealed class LocalHost : IAsyncDisposable
{
    private readonly IAsyncDisposable? _ownStorage;

    private LocalHost(WebApplication app, IConfiguration configuration, IAsyncDisposable? ownStorage = null)
    {
        _ownStorage = ownStorage;
        App = app;
        Configuration = configuration;
        Http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
    }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    public IConfiguration Configuration { get; }

    /// <summary>Starts the host with the given clock (default: the system's), its queue workers and timer when asked, and extra settings.</summary>
    public static Task<LocalHost> StartAsync(TimeProvider? clock = null, bool workers = false, params (string Key, string Value)[] settings) =>
        StartAsync(clock, workers, null, settings);

    /// <summary>The same, with the service's logs also going to <paramref name="logs"/>.</summary>
    public static async Task<LocalHost> StartAsync(TimeProvider? clock, bool workers, ILoggerProvider? logs, params (string Key, string Value)[] settings)
    {
        var (app, configuration) = await StartAppAsync(clock, workers, logs, settings);
        return new LocalHost(app, configuration);
    }

    /// <summary>
    /// The same on an Azurite of its own (maildev stays shared): for scenarios that run the site-wide scan
    /// hour after hour, whose cost must not grow with the courses every earlier test left in the shared one.
    /// </summary>
    public static async Task<LocalHost> StartOnOwnStorageAsync(TimeProvider clock, params (string Key, string Value)[] settings)
    {
        var azurite = await CourseNotification.Cli.Local.AzuriteServer.StartAsync();
        try
        {
            var (app, configuration) = await StartAppAsync(clock, workers: true, null, [.. settings, (StorageAccount.SettingName, azurite.ConnectionString)]);
            return new LocalHost(app, configuration, azurite);
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
    }

    private static async Task<(WebApplication App, IConfiguration Configuration)> StartAppAsync(
        TimeProvider? clock, bool workers, ILoggerProvider? logs, (string Key, string Value)[] settings)
    {
        var configuration = await SharedServices.ConfigurationAsync(settings);
        var app = ServeHost.Build(configuration, clock ?? TimeProvider.System, "http://127.0.0.1:0", runWorkers: workers, logs: logs,
            services: services => services.AddSingleton(AzureLimits.PolicyFor(configuration[StorageAccount.SettingName]!)));
        await app.StartAsync();
        return (app, configuration);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.DisposeAsync();
        if (_ownStorage is not null)
        {
            await _ownStorage.DisposeAsync();
        }
    }
}
