using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CourseNotification.Tests.Integration;

/// <summary>The Core services wired as in production against the shared Azurite, started (storage created, settings validated).</summary>
internal sealed class CoreServices : IAsyncDisposable
{
    private readonly IHost _host;

    private CoreServices(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    public static async Task<CoreServices> StartAsync(TimeProvider? clock = null, params (string Key, string Value)[] settings)
    {
        var configuration = await SharedServices.ConfigurationAsync(settings);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(configuration);
        if (clock is not null)
        {
            builder.Services.AddSingleton(clock);
        }
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
