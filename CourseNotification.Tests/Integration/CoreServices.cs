using Azure.Core;
using Azure.Core.Pipeline;
using CourseNotification.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Tests.Integration;

/// <summary>The Core services wired as in production against the shared Azurite (with Azure's limits: <see cref="AzureLimits"/>), started (storage created, settings validated).</summary>
internal sealed class CoreServices : IAsyncDisposable
{
    private readonly IHost _host;

    private CoreServices(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    public static Task<CoreServices> StartAsync(TimeProvider? clock = null, params (string Key, string Value)[] settings) =>
        StartAsync(clock, null, null, settings);

    /// <summary>The same, with a fault policy in every storage client's pipeline (after the SDK's retries see it) and the logs going to <paramref name="logs"/>.</summary>
    public static async Task<CoreServices> StartAsync(TimeProvider? clock, HttpPipelinePolicy? storageFault, ILoggerProvider? logs, params (string Key, string Value)[] settings)
    {
        var configuration = await SharedServices.ConfigurationAsync(settings);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(configuration);
        if (clock is not null)
        {
            builder.Services.AddSingleton(clock);
        }
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }
        // Azure's limits in every storage client (Azurite enforces none), after the fault when there is one.
        if (storageFault is not null)
        {
            builder.Services.AddSingleton(new StoragePipelinePolicy(storageFault, HttpPipelinePosition.PerRetry));
        }
        builder.Services.AddSingleton(AzureLimits.PolicyFor(configuration[StorageAccount.SettingName]!));
        builder.Services.AddCourseNotification(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        return new CoreServices(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
