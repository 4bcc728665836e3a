using System.CommandLine;
using CourseNotification.Cli.Commands;
using CourseNotification.Cli.Hosting;

namespace CourseNotification.Cli;

/// <summary>The verbs of <c>cn</c>; tests invoke them in-process exactly as the command line does.</summary>
public static class CliApp
{
    /// <summary>The exit code of a refusal: a wrong command, option or setting (nothing was started).</summary>
    public const int Refused = 2;

    public static RootCommand Create() => new(
        "CourseNotification: the local host and the administrator's tool. Settings: Name=Value words (Email__Transport=Smtp), environment variables, local.settings.json.")
    {
        ServeCommand.Create(),
        ScanCommand.Create(),
        DispatchCommand.Create(),
        PreviewCommand.Create(),
        RedriveCommand.Create(),
        SyncCommand.Create(),
        ImportCommand.Create(),
        ReportCommand.Create(),
        DemoCommand.Create(),
    };

    /// <param name="services">More services for every host the verb starts, before the Core ones (tests: Azure's storage limits).</param>
    public static async Task<int> RunAsync(string[] args, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        InProcessServices.Value = services;
        var root = Create();
        if (args.Length > 0 && args[0] is { Length: > 0 } first && first[0] is not ('-' or '[')
            && !root.Subcommands.Any(c => c.Name == first || c.Aliases.Contains(first)))
        {
            await Console.Error.WriteLineAsync(
                $"Unknown command '{first}'. The commands: {string.Join(", ", root.Subcommands.Select(c => c.Name))} (cn --help says what each does).");
            return Refused;
        }
        try
        {
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                // A wrong option is a refusal like a wrong setting: what is wrong, one line each, not the help page.
                foreach (var error in parse.Errors)
                {
                    await Console.Error.WriteLineAsync(error.Message);
                }
                return Refused;
            }
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (SettingsException e)
        {
            foreach (var line in e.Lines)
            {
                await Console.Error.WriteLineAsync(line);
            }
            return Refused;
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
        catch (Exception e)
        {
            // What System.CommandLine's own handler printed, for the failures nobody foresaw.
            await Console.Error.WriteLineAsync($"Unhandled exception: {e}");
            return 1;
        }
    }
}
