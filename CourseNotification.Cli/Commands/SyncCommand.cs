using System.CommandLine;
using CourseNotification.Cli.Hosting;
using CourseNotification.Enrolments;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Cli.Commands;

/// <summary><c>cn sync</c>: the pull from Moodle's web services (Moodle__Url, Moodle__Token), as the timer runs it.</summary>
internal static class SyncCommand
{
    public static Command Create()
    {
        var baseline = new Option<bool>("--baseline") { Description = "First sync of an existing site: learners already enrolled count as enrolled since the course start (no welcome wave)" };
        var at = CommonOptions.At();
        var command = new Command("sync", "Pull courses, enrolments (status, and dates with the plugin), people's language and zone, last access and completion from Moodle") { baseline, at };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = CliConfiguration.Build(parse.UnmatchedTokens);
            await using var azurite = await LocalStorage.EnsureAsync(configuration, Console.Error);
            using var host = await WorkerHost.StartAsync(configuration, new ShiftableClock(parse.GetValue(at)), cancellationToken);
            var report = await host.Services.GetRequiredService<MoodleSync>().SyncAsync(parse.GetValue(baseline), cancellationToken);
            if (report.Error is not null)
            {
                await Console.Error.WriteLineAsync($"Sync failed: {report.Error}");
                return 1;
            }
            await Console.Out.WriteLineAsync($"Synced {report.Summary}; {report.FailedCourses} course(s) failed.");
            return report.FailedCourses == 0 ? 0 : 1;
        });
        return command;
    }
}
