using System.CommandLine;
using CourseNotification.Cli.Hosting;

namespace CourseNotification.Cli.Commands;

internal static class ServeCommand
{
    public const string DefaultUrls = "http://127.0.0.1:7071";

    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Where Kestrel listens", DefaultValueFactory = _ => DefaultUrls };
        var at = CommonOptions.At();
        var command = new Command("serve", "Run the local host: HTTP routes, hourly scan and queue workers (Ctrl+C stops)")
        {
            urls, at,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = CliConfiguration.Build(parse.UnmatchedTokens);
            if (ServeHost.KeyProblem(configuration, parse.GetValue(urls)!) is { } keyProblem)
            {
                await Console.Error.WriteLineAsync(keyProblem);
                return CliApp.Refused;
            }
            if (Ports.Taken(parse.GetValue(urls)!) is { } taken)
            {
                await Console.Error.WriteLineAsync(
                    $"Port {taken.Port} is taken (another cn serve, a cn demo or the Functions host?): listen elsewhere with --urls, e.g. cn serve --urls http://127.0.0.1:{Ports.Free()}");
                return CliApp.Refused;
            }
            await using var azurite = await LocalStorage.EnsureAsync(configuration, Console.Out);
            var app = ServeHost.Build(configuration, new ShiftableClock(parse.GetValue(at)), parse.GetValue(urls)!);
            await app.StartAsync(cancellationToken);
            await Console.Out.WriteLineAsync($"Serving on {string.Join(", ", app.Urls)}; Ctrl+C stops.");
            await app.WaitForShutdownAsync(cancellationToken);
            return 0;
        });
        return command;
    }
}
