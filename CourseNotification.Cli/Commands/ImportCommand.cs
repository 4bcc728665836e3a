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
        var command = new Command("import", "Import enrolment dates, access and completion from a CSV export") { file };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                await Console.Error.WriteLineAsync($"No file {path.FullName}.");
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
                report = await host.Services.GetRequiredService<CsvImport>().ImportAsync(reader, new ProgressBar(total), cancellationToken);
            }
            catch (FormatException e)
            {
                await Console.Error.WriteLineAsync($"Cannot import {path.Name}: {e.Message}");
                return 2;
            }
            await Console.Out.WriteLineAsync($"{report.Rows} rows: courses {Counts(report.Courses)}; learners {Counts(report.Learners)}; enrolments {Counts(report.Enrolments)}.");
            foreach (var rejection in report.Rejected)
            {
                await Console.Out.WriteLineAsync($"  line {rejection.Line}: {rejection.Field}: {rejection.Reason}");
            }
            return report.Rejected.Count == 0 ? 0 : 1;
        });
        return command;
    }

    private static string Counts(UpsertCounts counts) => $"{counts.Created} created, {counts.Updated} updated, {counts.Rejected} rejected";

    /// <summary>A text progress bar on standard error, drawn only for files large enough to wait for.</summary>
    private sealed class ProgressBar(int total) : IProgress<int>
    {
        public void Report(int value)
        {
            if (total < 1000)
            {
                return;
            }
            var done = Math.Min(value * 30 / total, 30);
            Console.Error.Write($"\r[{new string('#', done)}{new string('.', 30 - done)}] {value}/{total} rows");
            if (value >= total)
            {
                Console.Error.WriteLine();
            }
        }
    }
}
