using System.CommandLine;
using CourseNotification.Cli.Hosting;
using CourseNotification.Enrolments;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Cli.Commands;

/// <summary><c>cn import &lt;file.csv&gt;</c>: a Moodle custom report's export, with a progress bar on large files.</summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "CSV exported from a Moodle custom report (course participants)" };
        var timeZone = new Option<string?>("--timezone")
        {
            Description = "Time zone of the user who exported the report (IANA, e.g. America/Montreal): Moodle writes its dates in it. Default: the site's (Platform__TimeZone)",
        };
        var command = new Command("import", "Import enrolment dates, access and completion from a CSV export") { file, timeZone };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                await Console.Error.WriteLineAsync($"No file {path.FullName}.");
                return 2;
            }
            var zone = parse.GetValue(timeZone);
            if (zone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
            {
                await Console.Error.WriteLineAsync($"--timezone: '{zone}' is not a known IANA time zone (e.g. Europe/Paris).");
                return 2;
            }
            var configuration = CliConfiguration.Build(parse.UnmatchedTokens);
            await using var azurite = await LocalStorage.EnsureAsync(configuration, Console.Error);
            using var host = await WorkerHost.StartAsync(configuration, TimeProvider.System, cancellationToken, quiet: true);
            var total = File.ReadLines(path.FullName).Count() - 1;
            using var reader = path.OpenText();
            CsvImportReport report;
            try
            {
                report = await host.Services.GetRequiredService<CsvImport>().ImportAsync(reader, zone, new ConsoleProgress(total, "rows"), cancellationToken);
            }
            catch (FormatException e)
            {
                await Console.Error.WriteLineAsync($"Cannot import {path.Name}: {e.Message}");
                return 2;
            }
            await Console.Out.WriteLineAsync($"{report.Rows} rows: courses {Counts(report.Courses)}; learners {Counts(report.Learners)}; enrolments {Counts(report.Enrolments)}.");
            if (report.Skipped > 0)
            {
                await Console.Out.WriteLineAsync($"  {report.Skipped} line(s) name nobody (an enrolment method no one uses): skipped.");
            }
            foreach (var rejection in report.Rejected)
            {
                await Console.Out.WriteLineAsync($"  line {rejection.Line}: {rejection.Field}: {rejection.Reason}");
            }
            if (report.RejectedNotListed > 0)
            {
                await Console.Out.WriteLineAsync($"  ... and {report.RejectedNotListed} more refusals ({report.RejectedTotal} in all).");
            }
            return report.RejectedTotal == 0 ? 0 : 1;
        });
        return command;
    }

    private static string Counts(UpsertCounts counts) => $"{counts.Created} created, {counts.Updated} updated, {counts.Rejected} rejected";
}
