using CourseNotification.Scanning;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Cli.Hosting;

/// <summary>The Functions timer "0 0 * * * *": a scan at the top of every hour of the host's clock.</summary>
internal sealed class HourlyScanWorker(ScanPlanner planner, TimeProvider clock, ILogger<HourlyScanWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            var next = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(1);
            try
            {
                await Task.Delay(next - now, clock, stoppingToken);
                await planner.FanOutAsync(clock.GetUtcNow(), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Hourly scan failed; the next one runs in an hour");
            }
        }
    }
}

/// <summary>The Functions queue triggers: polls each queue, backing off up to host.json's maxPollingInterval when idle.</summary>
internal sealed class QueueWorker(Pipeline pipeline, CourseNotification.Settings.QueueSettings settings, ILogger<QueueWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.WhenAll(pipeline.Processors.Select(p => PollAsync(p, stoppingToken)));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping: a message in hand becomes visible again after its lease, as in the Functions host.
        }
    }

    private async Task PollAsync(QueueProcessor processor, CancellationToken stoppingToken)
    {
        var idle = TimeSpan.FromMilliseconds(100);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await processor.PumpAsync(stoppingToken) > 0)
                {
                    idle = TimeSpan.FromMilliseconds(100);
                    continue;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Polling {Queue} failed", processor.QueueName);
            }
            await Task.Delay(idle, stoppingToken);
            idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, settings.MaxPollingInterval.Ticks));
        }
    }
}
