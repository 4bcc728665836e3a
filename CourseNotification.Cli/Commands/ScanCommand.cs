using System.CommandLine;
using CourseNotification.Cli.Hosting;
using CourseNotification.Scanning;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Cli.Commands;

internal static class ScanCommand
{
    public static Command Create()
    {
        var at = CommonOptions.At();
        var command = new Command("scan", "Queue one scan-course message per course, as the hourly timer does") { at };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = CliConfiguration.Build(parse.UnmatchedTokens);
            var clock = new ShiftableClock(parse.GetValue(at));
            await using var azurite = await LocalStorage.EnsureAsync(configuration, Console.Out);
            using var host = await WorkerHost.StartAsync(configuration, clock, cancellationToken);
            var courses = await host.Services.GetRequiredService<ScanPlanner>().FanOutAsync(clock.GetUtcNow(), cancellationToken);
            await Console.Out.WriteLineAsync($"Queued the scan of {courses} course(s) as of {clock.GetUtcNow():O}.");
            return 0;
        });
        return command;
    }
}
