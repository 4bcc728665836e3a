using System.CommandLine;
using System.Net.Http.Json;
using CourseNotification.Cli.Demo;
using CourseNotification.Cli.Hosting;
using CourseNotification.Cli.Local;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Cli.Commands;

/// <summary>
/// The local demo: Azurite and maildev from node_modules, the local host, a small organisation loaded
/// through the public API, scans at two instants of the opening day, and the welcome mails in maildev.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Where the local host listens", DefaultValueFactory = _ => ServeCommand.DefaultUrls };
        var keep = new Option<bool>("--keep") { Description = "Leave the host, Azurite and maildev running until Ctrl+C" };
        var command = new Command("demo", "Run the product locally end to end and show the mail it sends") { urls, keep };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = CliConfiguration.Build(parse.UnmatchedTokens);
            await using var azurite = await LocalStorage.EnsureAsync(configuration, Console.Out);
            await using var maildev = await EnsureMailSinkAsync(configuration);
            var clock = new ShiftableClock(DemoOrganisation.ScanInstants[0]);
            await using var app = ServeHost.Build(configuration, clock, parse.GetValue(urls)!);
            await app.StartAsync(cancellationToken);
            var baseUrl = new Uri(app.Urls.First());
            using var http = new HttpClient { BaseAddress = baseUrl };
            await Console.Out.WriteLineAsync($"Local host on {baseUrl}");

            (await http.PutAsJsonAsync("api/snapshots", DemoOrganisation.Snapshots(), cancellationToken)).EnsureSuccessStatusCode();
            (await http.PostAsJsonAsync("api/moodle/events", DemoOrganisation.EnrolmentCreatedEvent(), cancellationToken)).EnsureSuccessStatusCode();
            await Console.Out.WriteLineAsync("Loaded 2 courses, 5 people and their enrolments through PUT /api/snapshots and POST /api/moodle/events.");

            var pipeline = app.Services.GetRequiredService<Pipeline>();
            foreach (var instant in DemoOrganisation.ScanInstants)
            {
                clock.MoveTo(instant);
                (await http.PostAsync($"api/scan?at={Uri.EscapeDataString(instant.ToString("O"))}", null, cancellationToken)).EnsureSuccessStatusCode();
                await WaitUntilQueuesEmptyAsync(pipeline, cancellationToken);
                await Console.Out.WriteLineAsync($"Scanned and dispatched as of {instant:yyyy-MM-dd HH:mm zzz}.");
            }

            var ok = await ReportAsync(configuration, maildev, cancellationToken);
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
        configuration["Email:Smtp:Port"] = maildev.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        configuration["Email:Smtp:Security"] = "None";
        configuration["Email:From"] ??= "formation@example.org";
        // A local sink has no provider quota to pace against.
        configuration["Email:Quota:PerMinute"] ??= "0";
        configuration["Email:Quota:PerHour"] ??= "0";
        return maildev;
    }

    private static async Task WaitUntilQueuesEmptyAsync(Pipeline pipeline, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            var held = 0;
            foreach (var processor in pipeline.Processors)
            {
                held += await processor.ApproximateCountAsync(cancellationToken);
            }
            if (held == 0)
            {
                return;
            }
            await Task.Delay(200, cancellationToken);
        }
        throw new TimeoutException("The queues did not empty within 2 minutes.");
    }

    private static async Task<bool> ReportAsync(IConfiguration configuration, MaildevServer? maildev, CancellationToken cancellationToken)
    {
        if (maildev is null)
        {
            await Console.Out.WriteLineAsync($"Mail went through Email__Transport={configuration["Email:Transport"]}.");
            return true;
        }
        using var inbox = new MaildevInbox(maildev.WebUrl);
        var mails = await inbox.WaitForAsync(DemoOrganisation.ExpectedWelcomes, TimeSpan.FromSeconds(30), cancellationToken);
        await Console.Out.WriteLineAsync();
        await Console.Out.WriteLineAsync($"{"to",-26} {"lang",-4} subject");
        foreach (var mail in mails)
        {
            await Console.Out.WriteLineAsync($"{mail.To,-26} {mail.ContentLanguage,-4} {mail.Subject}");
        }
        await Console.Out.WriteLineAsync();
        await Console.Out.WriteLineAsync($"maildev inbox: {maildev.WebUrl} (API: {new Uri(maildev.WebUrl, "api/email")})");
        var ok = mails.Count == DemoOrganisation.ExpectedWelcomes;
        await (ok ? Console.Out : Console.Error).WriteLineAsync(
            $"{mails.Count} welcome mail(s) received; expected {DemoOrganisation.ExpectedWelcomes} (the teacher and the learner who already came get none).");
        return ok;
    }
}
