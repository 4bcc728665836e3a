using System.CommandLine;
using CourseNotification.Cli.Hosting;
using CourseNotification.Http;
using CourseNotification.Reports;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;

namespace CourseNotification.Cli.Commands;

/// <summary>
/// <c>cn report --out file [--courses 1,2] [--from] [--to] [--campaign] [--questionnaire] [--lang] [--format]</c>:
/// the Qualiopi report the HTTP route gives, checked the same way, written to a file, with a progress
/// bar over the courses when it takes more than a moment.
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var output = new Option<FileInfo>("--out") { Description = "File to write (its extension gives the format unless --format says)", Required = true };
        var courses = new Option<string?>("--courses") { Description = "Comma-separated course ids (default: every course)" };
        var from = new Option<string?>("--from") { Description = "First day, yyyy-MM-dd (default: 89 days before --to)" };
        var to = new Option<string?>("--to") { Description = "Last day, yyyy-MM-dd (default: today)" };
        var campaign = new Option<string?>("--campaign") { Description = "A campaign id (default: every campaign asking the questionnaire)" };
        var questionnaire = new Option<string?>("--questionnaire") { Description = "Questionnaire id (default: the campaign's, else qualiopi-hot)" };
        var lang = new Option<string?>("--lang") { Description = "fr or en (default: the site's language)" };
        var format = new Option<string?>("--format") { Description = "pdf, json or csv (default: from --out's extension)" };
        var command = new Command("report", "Write the Qualiopi report (PDF, JSON or CSV) of some courses over a period")
        {
            output, courses, from, to, campaign, questionnaire, lang, format,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var file = parse.GetValue(output)!;
            var query = new Dictionary<string, StringValues>
            {
                ["courses"] = parse.GetValue(courses),
                ["from"] = parse.GetValue(from),
                ["to"] = parse.GetValue(to),
                ["campaign"] = parse.GetValue(campaign),
                ["questionnaire"] = parse.GetValue(questionnaire),
                ["lang"] = parse.GetValue(lang),
                ["format"] = parse.GetValue(format) ?? file.Extension.TrimStart('.').ToLowerInvariant(),
            };
            var configuration = CliConfiguration.Build(parse.UnmatchedTokens);
            // Everything that can be checked before starting anything is.
            if (ReportEndpoints.CheckShape(new QueryCollection(query)) is { } wrong)
            {
                return await RefuseAsync(wrong);
            }
            if (!LocalStorage.IsConfigured(configuration))
            {
                // An Azurite started now would be empty: its report would say nothing, wrongly.
                await Console.Error.WriteLineAsync(
                    "No report: AzureWebJobsStorage is not set, so there are no answers to read. Set it to the storage the service uses (a connection string, or AzureWebJobsStorage__accountName in Azure), e.g. cn report --out report.pdf AzureWebJobsStorage=\"...\"");
                return CliApp.Refused;
            }
            using var host = await WorkerHost.StartAsync(configuration, TimeProvider.System, cancellationToken, quiet: true);
            var (scope, kind, problem) = await host.Services.GetRequiredService<ReportEndpoints>().ParseAsync(new QueryCollection(query), cancellationToken);
            if (problem is not null)
            {
                return await RefuseAsync(problem);
            }
            var aggregator = host.Services.GetRequiredService<QualiopiAggregator>();
            var count = (await aggregator.CoursesAsync(scope!, cancellationToken)).Count;
            var report = await aggregator.BuildAsync(scope!, new ConsoleProgress(count, "courses"), cancellationToken);
            await using (var stream = file.Create())
            {
                await ReportFormats.WriteAsync(report, kind, stream, cancellationToken);
            }
            await Console.Out.WriteLineAsync(
                $"{file.FullName}: {report.Courses.Count} course(s), {report.Participation.Invited} invited, {report.Participation.Answered} answered, satisfaction {Percent(report.Headline.SatisfactionRate)}.");
            return 0;
        });
        return command;
    }

    private static async Task<int> RefuseAsync(IResult problem)
    {
        var details = (problem as ProblemHttpResult)?.ProblemDetails;
        await Console.Error.WriteLineAsync($"No report: {details?.Extensions["field"]}: {details?.Detail}");
        return CliApp.Refused;
    }

    private static string Percent(double? share) => share is { } s ? $"{s * 100:0}%" : "-";
}
