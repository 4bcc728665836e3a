using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace CourseNotification.Cli.Hosting;

/// <summary>The Core services without HTTP, for the verbs (scan, dispatch): started, so settings are validated and storage exists.</summary>
public static class WorkerHost
{
    public static async Task<IHost> StartAsync(IConfiguration configuration, TimeProvider clock, CancellationToken cancellationToken, bool runQueueWorkers = false, bool quiet = false)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory, DisableDefaults = true });
        builder.Configuration.AddConfiguration(configuration);
        // Without the host's defaults, the Logging section (Logging__LogLevel__Default=Warning) is wired here.
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).AddFilter("Azure", LogLevel.Warning);
        if (quiet)
        {
            // Verbs whose output is their answer (preview --json) keep the log to warnings, on stderr.
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        }
        builder.Services.AddSingleton(clock);
        InProcessServices.Value?.Invoke(builder.Services);
        builder.Services.AddCourseNotification(builder.Configuration);
        builder.Services.AddSingleton<Pipeline>();
        if (runQueueWorkers)
        {
            builder.Services.AddHostedService<QueueWorker>();
        }
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return host;
    }
}
