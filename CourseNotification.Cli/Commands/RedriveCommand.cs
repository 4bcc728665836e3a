using System.CommandLine;
using CourseNotification.Cli.Hosting;
using CourseNotification.Dispatch;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Cli.Commands;

/// <summary><c>cn redrive</c>: puts poisoned messages back on their queues once their cause is fixed.</summary>
internal static class RedriveCommand
{
    public static Command Create()
    {
        var command = new Command("redrive", "Move poisoned messages back to their queues (failed sends become claimable again)");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = CliConfiguration.Build(parse.UnmatchedTokens);
            await using var azurite = await LocalStorage.EnsureAsync(configuration, Console.Error);
            using var host = await WorkerHost.StartAsync(configuration, TimeProvider.System, cancellationToken);
            var moved = await host.Services.GetRequiredService<PoisonRedrive>().RedriveAsync(cancellationToken);
            await Console.Out.WriteLineAsync($"Moved {moved} message(s) back from the poison queues.");
            return 0;
        });
        return command;
    }
}
