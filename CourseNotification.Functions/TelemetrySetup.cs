using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using CourseNotification.Observability;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace CourseNotification.Functions;

internal static class TelemetrySetup
{
    /// <summary>
    /// OpenTelemetry for the worker: the invocation activities of the Functions host, the service's own
    /// traces (scan -> queue -> dispatch -> send) and counters, and outgoing HTTP (ACS). Exported to
    /// Application Insights as the app's managed identity when a connection string is configured.
    /// </summary>
    public static IServiceCollection AddCourseNotificationTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var telemetry = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithTracing(tracing => tracing.AddSource(Telemetry.Name).AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics.AddMeter(Telemetry.Name));
        if (!string.IsNullOrEmpty(configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"]))
        {
            telemetry.UseAzureMonitorExporter(options => options.Credential = new DefaultAzureCredential());
        }
        return services;
    }
}
