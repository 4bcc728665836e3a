using CourseNotification.Cli.Hosting;
using Microsoft.AspNetCore.Builder;
using CourseNotification.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Tests.Integration;

/// <summary>The Cli's <c>serve</c> on a free loopback port, against the shared Azurite (with Azure's limits: <see cref="AzureLimits"/>) and maildev, with a client on it.</summary>
internal sealed class LocalHost : IAsyncDisposable
{
    private LocalHost(WebApplication app, IConfiguration configuration)
    {
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
        var configuration = await SharedServices.ConfigurationAsync(settings);
        var app = ServeHost.Build(configuration, clock ?? TimeProvider.System, "http://127.0.0.1:0", runWorkers: workers, logs: logs,
            services: services => services.AddSingleton(AzureLimits.PolicyFor(configuration[StorageAccount.SettingName]!)));
        await app.StartAsync();
        return new LocalHost(app, configuration);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.DisposeAsync();
    }
}
