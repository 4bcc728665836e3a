using System.CommandLine;
using CourseNotification.Cli.Commands;

namespace CourseNotification.Cli;

/// <summary>The verbs of <c>cn</c>; tests invoke them in-process exactly as the command line does.</summary>
public static class CliApp
{
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

    public static Task<int> RunAsync(string[] args) => Create().Parse(args).InvokeAsync();
}
