using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CourseNotification.Cli.Hosting;
using CourseNotification.Enrolments;
using CourseNotification.Questionnaires;
using CourseNotification.Scanning;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Cli.Commands;

/// <summary><c>cn preview</c>: what the engine decides for every learner of a course (or all), as of an instant; sends nothing.</summary>
internal static class PreviewCommand
{
    public static Command Create()
    {
        var course = new Option<long?>("--course") { Description = "Course id (default: every course)" };
        var at = CommonOptions.At();
        var json = new Option<bool>("--json") { Description = "Print the decisions as JSON (see docs/signals.md, Decisions) instead of a table" };
        var command = new Command("preview", "Show each learner's decision per signal, with dates and reasons") { course, at, json };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = CliConfiguration.Build(parse.UnmatchedTokens);
            var clock = new ShiftableClock(parse.GetValue(at));
            await using var azurite = await LocalStorage.EnsureAsync(configuration, Console.Error);
            using var host = await WorkerHost.StartAsync(configuration, clock, cancellationToken, quiet: true);
            var decisions = host.Services.GetRequiredService<CourseDecisions>();
            IAsyncEnumerable<LearnerDecisions> learners;
            if (parse.GetValue(course) is { } courseId)
            {
                if (await host.Services.GetRequiredService<CourseStore>().GetAsync(courseId, cancellationToken) is not { } found)
                {
                    await Console.Error.WriteLineAsync($"Course {courseId} is not known here.");
                    return 2;
                }
                learners = decisions.EvaluateAsync(found, clock.GetUtcNow(), cancellationToken);
            }
            else
            {
                learners = decisions.EvaluateAllAsync(clock.GetUtcNow(), cancellationToken);
            }
            var siteZone = host.Services.GetRequiredService<SignalSettingsProvider>().Platform.SiteZone;
            await (parse.GetValue(json) ? WriteJsonAsync(learners, Console.Out, cancellationToken) : DecisionTable.WriteAsync(learners, siteZone, Console.Out, cancellationToken));
            return 0;
        });
        return command;
    }

    /// <summary>A JSON array, one decision per line, written as the course is read (never all in memory).</summary>
    private static async Task WriteJsonAsync(IAsyncEnumerable<LearnerDecisions> learners, TextWriter output, CancellationToken cancellationToken)
    {
        var separator = "[\n  ";
        await foreach (var learner in learners.WithCancellation(cancellationToken))
        {
            foreach (var decision in learner.Decisions)
            {
                await output.WriteAsync(separator + JsonSerializer.Serialize(decision, QueueWriter.Json));
                separator = ",\n  ";
            }
        }
        await output.WriteLineAsync(separator == "[\n  " ? "[]" : "\n]");
    }
}

/// <summary>The readable form of the preview: one row per learner, one column per signal, dates in the learner's time.</summary>
internal static class DecisionTable
{
    private const int Width = 12;

    public static async Task WriteAsync(IAsyncEnumerable<LearnerDecisions> learners, TimeZoneInfo siteZone, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync($"{"course",-8}{"learner",-10}" + string.Concat(SignalKeys.All.Select(s => s.PadRight(Width))) + "questionnaires");
        var rows = 0;
        await foreach (var learner in learners.WithCancellation(cancellationToken))
        {
            var zone = TimeZones.Resolve(learner.Snapshot.Profile?.TimeZone, siteZone);
            var cells = learner.Decisions.Take(SignalEngine.BuiltInCount).Select(d => Cell(d, zone).PadRight(Width));
            // A course's questionnaire signals vary from course to course: after the columns, as campaign:reminder=cell.
            var campaigns = learner.Decisions.Skip(SignalEngine.BuiltInCount)
                .Select(d => $"{d.Signal[QuestionnaireSignals.Prefix.Length..].Replace(":reminder", ":r", StringComparison.Ordinal)}={Cell(d, zone)}");
            await output.WriteLineAsync($"{learner.Snapshot.CourseId,-8}{learner.Snapshot.LearnerId,-10}" + string.Concat(cells) + string.Join("  ", campaigns));
            rows++;
        }
        await output.WriteLineAsync();
        await output.WriteLineAsync($"{rows} learner(s). DUE: goes out at the next scan; MM-dd HH:mm: scheduled (learner's time); sent/FAILED MM-dd: done; sup.: superseded; n/a: not applicable; off: switched off. --json gives every reason.");
    }

    private static string Cell(Decision decision, TimeZoneInfo zone)
    {
        string Local(string format) => decision.At is { } at ? TimeZoneInfo.ConvertTime(at, zone).ToString(format, CultureInfo.InvariantCulture) : "";
        var repeat = decision.Repeat > 0 ? $"#{decision.Repeat}" : "";
        return decision.State switch
        {
            DecisionState.Due => "DUE" + repeat,
            DecisionState.Scheduled => Local("MM-dd HH:mm") + repeat,
            DecisionState.Sent => "sent " + Local("MM-dd") + repeat,
            DecisionState.Failed => "FAILED " + Local("MM-dd"),
            DecisionState.Superseded => "sup.",
            DecisionState.Missed => "missed",
            DecisionState.Disabled => "off",
            _ => "n/a",
        };
    }
}
