using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using CourseNotification.Cli.Demo;
using CourseNotification.Cli.Hosting;
using CourseNotification.Cli.Local;
using CourseNotification.Questionnaires;
using CourseNotification.Reports;
using CourseNotification.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Cli.Commands;

/// <summary>
/// The local demo: Azurite and maildev from node_modules, the local host, an invented organisation loaded
/// through the public API, then weeks of its life played on a simulated clock (Moodle events pushed as
/// they happen, the scan at four hours a day so every time zone gets its morning, the queues drained),
/// and at the end where to look and what was sent.
/// </summary>
internal static class DemoCommand
{
    /// <summary>Scan instants of a day (UTC): mornings in Réunion, Paris, Montréal and Nouméa (the next day there).</summary>
    private static readonly TimeSpan[] ScanTimes = [new(5, 5, 0), new(8, 5, 0), new(14, 5, 0), new(22, 5, 0)];

    private static readonly string[] ExpectedSignals =
        ["welcome", "firstcall", "secondcall", "end15", "end7", "end1", "closed", "completed", "inactive", "questionnaire:hot", "questionnaire:hot:reminder1", "questionnaire:cold", "questionnaire:exam", "digest"];

    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Where the local host listens", DefaultValueFactory = _ => ServeCommand.DefaultUrls };
        var keep = new Option<bool>("--keep") { Description = "Leave the host, Azurite and maildev running until Ctrl+C" };
        var days = new Option<int>("--days") { Description = "Days of the organisation's life to play", DefaultValueFactory = _ => 63 };
        var learners = new Option<int>("--learners") { Description = "Learners to invent", DefaultValueFactory = _ => 240 };
        var command = new Command("demo", "Run the product locally end to end on an invented organisation and show what it sends") { urls, keep, days, learners };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = CliConfiguration.Build(parse.UnmatchedTokens);
            // The trainers' weekly digest, on Monday at 09:00 in their zone: the 08:05 UTC scan is 09:05 in Paris.
            configuration["Digest:Enabled"] ??= "true";
            configuration["Digest:Day"] ??= "Monday";
            configuration["Digest:Hour"] ??= "9";
            if (ServeHost.KeyProblem(configuration, parse.GetValue(urls)!) is { } keyProblem)
            {
                await Console.Error.WriteLineAsync(keyProblem);
                return CliApp.Refused;
            }
            var listen = parse.GetValue(urls)!;
            if (Ports.Taken(listen) is { } taken)
            {
                if (parse.GetResult(urls) is { Implicit: false })
                {
                    await Console.Error.WriteLineAsync($"Port {taken.Port} is taken: give --urls another one, or leave --urls out and the demo picks a free one.");
                    return CliApp.Refused;
                }
                // The demo needs a port, not this one: a free one, and the mails' links follow it.
                listen = $"http://127.0.0.1:{Ports.Free()}";
                configuration["Platform:PublicUrl"] ??= listen;
                await Console.Out.WriteLineAsync($"Port {taken.Port} is taken (another cn serve, or the Functions host?): the demo listens on {listen} instead.");
            }
            await using var azurite = await LocalStorage.EnsureAsync(configuration, Console.Out);
            await using var maildev = await EnsureMailSinkAsync(configuration);
            var organisation = new DemoOrganisation(parse.GetValue(learners));
            var clock = new ShiftableClock(DemoOrganisation.FirstDay.AddDays(-1));
            await using var app = ServeHost.Build(configuration, clock, listen, quietLogs: true);
            await app.StartAsync(cancellationToken);
            var baseUrl = new Uri(app.Urls.First());
            using var http = new HttpClient { BaseAddress = baseUrl };
            if (ServeHost.KeyOf(configuration) is { } key)
            {
                http.DefaultRequestHeaders.Add("x-functions-key", key);
            }
            await Console.Out.WriteLineAsync($"Local host on {baseUrl}");

            (await http.PutAsJsonAsync("api/snapshots", organisation.Snapshots(), cancellationToken)).EnsureSuccessStatusCode();
            await Console.Out.WriteLineAsync($"Loaded {organisation.Courses.Count} courses, {organisation.Learners.Count} people and their enrolments through PUT /api/snapshots.");
            foreach (var (courseId, settings) in organisation.CourseSettings())
            {
                (await http.PutAsJsonAsync($"api/courses/{courseId}/settings", settings, cancellationToken)).EnsureSuccessStatusCode();
            }
            await Console.Out.WriteLineAsync("Questionnaire campaigns set: hot evaluation on completion everywhere, cold evaluation after the access end where courses end, and after the final quiz (activity 1401) of the English course.");
            await Console.Out.WriteLineAsync($"Trainers' weekly digest on, {configuration["Digest:Day"]} at {configuration["Digest:Hour"]}:00 in each trainer's zone.");
            using var respondentInbox = maildev is null ? null : new MaildevInbox(maildev.WebUrl);
            var respondents = respondentInbox is null ? null : new DemoRespondents(http, respondentInbox);

            var total = parse.GetValue(days);
            var pipeline = app.Services.GetRequiredService<Pipeline>();
            var last = DemoOrganisation.FirstDay.AddDays(-1);
            for (var day = 0; day < total; day++)
            {
                foreach (var time in ScanTimes)
                {
                    var at = new DateTimeOffset(DemoOrganisation.FirstDay.UtcDateTime.Date.AddDays(day) + time, TimeSpan.Zero);
                    foreach (var chunk in organisation.EventsBetween(last, at).Chunk(100))
                    {
                        (await http.PostAsJsonAsync("api/moodle/events", new JsonArray([.. chunk.Select(e => (JsonNode)e.DeepClone())]), cancellationToken)).EnsureSuccessStatusCode();
                    }
                    last = at;
                    clock.MoveTo(at);
                    (await http.PostAsync($"api/scan?at={Uri.EscapeDataString(at.ToString("O"))}", null, cancellationToken)).EnsureSuccessStatusCode();
                    if (!await pipeline.WaitUntilEmptyAsync(TimeSpan.FromMinutes(2), cancellationToken))
                    {
                        throw new TimeoutException("The queues did not empty within 2 minutes.");
                    }
                }
                // In the evening, learners read their mail; some answer the questionnaires.
                if (respondents is not null)
                {
                    await respondents.AnswerNewMailAsync(cancellationToken);
                }
                // A bar redrawn in place on a terminal; into a file or a pipe, carriage returns would only be noise.
                if (!Console.IsOutputRedirected)
                {
                    var done = (day + 1) * 30 / total;
                    Console.Write($"\r[{new string('#', done)}{new string('.', 30 - done)}] {DemoOrganisation.FirstDay.AddDays(day):ddd yyyy-MM-dd}  day {day + 1}/{total}");
                }
            }
            await Console.Out.WriteLineAsync(Console.IsOutputRedirected ? $"Played {total} days, {DemoOrganisation.FirstDay:yyyy-MM-dd} to {DemoOrganisation.FirstDay.AddDays(total - 1):yyyy-MM-dd}." : "");

            var ok = await ReportAsync(app, configuration, maildev, baseUrl, total, cancellationToken);
            ok &= await QualiopiAsync(app, total, cancellationToken);
            if (parse.GetValue(keep))
            {
                await Console.Out.WriteLineAsync("Running until Ctrl+C.");
                await app.WaitForShutdownAsync(cancellationToken);
            }
            return ok ? 0 : 1;
        });
        return command;
    }

    /// <summary>Starts maildev and routes mail to it, unless the settings name a transport already.</summary>
    private static async Task<MaildevServer?> EnsureMailSinkAsync(IConfiguration configuration)
    {
        if (!string.IsNullOrEmpty(configuration["Email:Transport"]))
        {
            return null;
        }
        var maildev = await MaildevServer.StartAsync();
        configuration["Email:Transport"] = "Smtp";
        configuration["Email:Smtp:Host"] = "127.0.0.1";
        configuration["Email:Smtp:Port"] = maildev.SmtpPort.ToString(CultureInfo.InvariantCulture);
        configuration["Email:Smtp:Security"] = "None";
        configuration["Email:From"] ??= "formation@example.org";
        configuration["Platform:SiteName"] ??= "Formapro (démo)";
        configuration["Platform:MoodleUrl"] ??= "https://moodle.formation.example";
        // A local sink has no provider quota to pace against.
        configuration["Email:Quota:PerMinute"] ??= "0";
        configuration["Email:Quota:PerHour"] ??= "0";
        return maildev;
    }

    /// <summary>
    /// Each campaign's participation over the demo's weeks, from the same figures as the Qualiopi report,
    /// and the hot and cold reports as PDFs in demo-output/; true when answers came in.
    /// </summary>
    private static async Task<bool> QualiopiAsync(WebApplication app, int days, CancellationToken cancellationToken)
    {
        var aggregator = app.Services.GetRequiredService<QualiopiAggregator>();
        var folder = Directory.CreateDirectory(Path.Combine(Directory.GetCurrentDirectory(), "demo-output"));
        var (from, to) = (DateOnly.FromDateTime(DemoOrganisation.FirstDay.DateTime), DateOnly.FromDateTime(DemoOrganisation.FirstDay.DateTime).AddDays(days - 1));
        await Console.Out.WriteLineAsync();
        await Console.Out.WriteLineAsync($"{"questionnaire",-16} {"invited",8} {"reminded",9} {"answered",9} {"response",9} {"satisfied",10}");
        var answered = 0;
        foreach (var (questionnaire, name) in new[] { (QuestionnaireCatalog.Hot, "hot"), (QuestionnaireCatalog.Cold, "cold") })
        {
            var report = await aggregator.BuildAsync(new ReportScope([], from, to, questionnaire, null, "fr"), null, cancellationToken);
            var p = report.Participation;
            answered += p.Answered;
            await Console.Out.WriteLineAsync(
                $"{name,-16} {p.Invited,8} {p.Reminded,9} {p.Answered,9} {Percent(p.ResponseRate),9} {Percent(report.Headline.SatisfactionRate),10}");
            var path = Path.Combine(folder.FullName, $"qualiopi-{name}.pdf");
            await using (var file = File.Create(path))
            {
                await ReportFormats.WriteAsync(report, "pdf", file, cancellationToken);
            }
            await Console.Out.WriteLineAsync($"  Qualiopi report ({name}): {path}");
        }
        return days < 30 || answered > 0;

        static string Percent(double? share) => share is { } s ? s.ToString("P0", CultureInfo.InvariantCulture) : "-";
    }

    /// <summary>Sends by signal (from the ledger) and by language (from the inbox); true when they agree and every kind of signal went out.</summary>
    private static async Task<bool> ReportAsync(WebApplication app, IConfiguration configuration, MaildevServer? maildev, Uri baseUrl, int days, CancellationToken cancellationToken)
    {
        var ledger = app.Services.GetRequiredService<StorageAccount>().Table(StorageNames.LedgerTable);
        var bySignal = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failed = 0;
        await foreach (var row in ledger.QueryAsync<TableEntity>(select: ["RowKey", "State"], cancellationToken: cancellationToken))
        {
            var signal = row.RowKey.Split('|')[1];
            if (row.GetString("State") == "Sent" && !signal.EndsWith(":answered", StringComparison.Ordinal))
            {
                bySignal[signal] = bySignal.GetValueOrDefault(signal) + 1;
            }
            failed += row.GetString("State") == "Failed" ? 1 : 0;
        }
        var sent = bySignal.Values.Sum();
        await Console.Out.WriteLineAsync();
        await Console.Out.WriteLineAsync($"{"signal",-32} {"sent",6}");
        foreach (var (signal, count) in bySignal)
        {
            await Console.Out.WriteLineAsync($"{signal,-32} {count,6}");
        }
        await Console.Out.WriteLineAsync($"{"total",-32} {sent,6}   (failed: {failed})");
        await Console.Out.WriteLineAsync();
        var period = $"from={Uri.EscapeDataString(DemoOrganisation.FirstDay.ToString("O"))}&to={Uri.EscapeDataString(DemoOrganisation.FirstDay.AddDays(days).ToString("O"))}";
        await Console.Out.WriteLineAsync($"Site overview:        {new Uri(baseUrl, $"overview?{period}")}");
        await Console.Out.WriteLineAsync($"Status of a course:   {new Uri(baseUrl, "courses/12/status")}");
        await Console.Out.WriteLineAsync($"Preview of a course:  {new Uri(baseUrl, "api/preview?courseId=12")}");
        await Console.Out.WriteLineAsync($"A trainer's digest:   {new Uri(baseUrl, "api/people/912/digest")} (teaches two courses, gets one mail a week)");
        await Console.Out.WriteLineAsync($"Questionnaires:       {new Uri(baseUrl, "api/questionnaires")}");
        if (maildev is null)
        {
            await Console.Out.WriteLineAsync($"Mail went through Email__Transport={configuration["Email:Transport"]}.");
            return failed == 0;
        }
        using var inbox = new MaildevInbox(maildev.WebUrl);
        var mails = await inbox.WaitForAsync(sent, TimeSpan.FromSeconds(30), cancellationToken);
        foreach (var language in mails.GroupBy(m => m.ContentLanguage).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            await Console.Out.WriteLineAsync($"mails in '{language.Key}': {language.Count()}");
        }
        await Console.Out.WriteLineAsync($"maildev inbox: {maildev.WebUrl} (API: {new Uri(maildev.WebUrl, "api/email")})");
        var missing = days >= 60 ? ExpectedSignals.Where(s => !bySignal.ContainsKey(s)).ToList() : (bySignal.ContainsKey("welcome") ? [] : ["welcome"]);
        var ok = mails.Count == sent && failed == 0 && missing.Count == 0;
        await (ok ? Console.Out : Console.Error).WriteLineAsync(ok
            ? $"{mails.Count} mails in maildev, each one recorded once in the ledger."
            : $"Mismatch: {mails.Count} mails in maildev, {sent} sends in the ledger, {failed} failed; missing signals: {string.Join(", ", missing)}.");
        return ok;
    }
}
