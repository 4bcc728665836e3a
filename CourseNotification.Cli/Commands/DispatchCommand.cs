using System.CommandLine;
using CourseNotification.Cli.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Cli.Commands;

internal static class DispatchCommand
{
    public static Command Create()
    {
        var at = CommonOptions.At();
        var drain = new Option<bool>("--drain") { Description = "Process the queues until they are empty, then exit" };
        var timeout = new Option<TimeSpan>("--timeout") { Description = "With --drain: give up after this long", DefaultValueFactory = _ => TimeSpan.FromMinutes(5) };
        var command = new Command("dispatch", "Process the scan-course and notifications queues (sends the mail)") { at, drain, timeout };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = CliConfiguration.Build(parse.UnmatchedTokens);
            await using var azurite = await LocalStorage.EnsureAsync(configuration, Console.Out);
            var keepPolling = !parse.GetValue(drain);
            using var host = await WorkerHost.StartAsync(configuration, new ShiftableClock(parse.GetValue(at)), cancellationToken, runQueueWorkers: keepPolling);
            if (keepPolling)
            {
                await host.WaitForShutdownAsync(cancellationToken);
                return 0;
            }
            if (await host.Services.GetRequiredService<Pipeline>().DrainAsync(parse.GetValue(timeout), cancellationToken))
            {
                await Console.Out.WriteLineAsync("Queues drained.");
                return 0;
            }
            await Console.Error.WriteLineAsync($"Queues still hold messages after {parse.GetValue(timeout)}.");
            return 1;
        });
        return command;
    }
}
