using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using CourseNotification.Cli;
using CourseNotification.Cli.Hosting;
using CourseNotification.Cli.Local;
using CourseNotification.Enrolments;
using CourseNotification.Scanning;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace CourseNotification.Benchmarks;

/// <summary>
/// Sends per second from the notifications queue to maildev's inbox through <c>cn dispatch --drain</c>
/// (re-check with the engine, claim, render, SMTP, mark sent), next to the floor measured in the same run
/// on the same Azurite and maildev: receive + delete from a queue and a raw MailKit send, nothing else.
/// </summary>
internal static class DispatchHarness
{
    public static async Task<int> RunAsync(int count)
    {
        await using var azurite = await AzuriteServer.StartAsync();
        await using var maildev = await MaildevServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Email:Transport"] = "Smtp",
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = maildev.SmtpPort.ToString(CultureInfo.InvariantCulture),
            ["Email:Smtp:Security"] = "None",
            ["Email:From"] = "formation@example.org",
            ["Email:Quota:PerMinute"] = "0",
            ["Email:Quota:PerHour"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var opening = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.FromHours(1));
        var at = opening.AddHours(10);
        using var inbox = new MaildevInbox(maildev.WebUrl);

        // Three rounds up to 1,000 mails (this machine is noisy), each on a course of its own whose `count`
        // welcomes a scan queued; the best of each side is compared. Both are timed until maildev's inbox
        // holds every mail.
        var (products, floors) = (new List<double>(), new List<double>());
        var idle = Stopwatch.StartNew();
        await CliApp.RunAsync(["dispatch", "--drain", .. settings.Select(s => $"{s.Key.Replace(":", "__", StringComparison.Ordinal)}={s.Value}")]);
        var hostStart = idle.Elapsed.TotalSeconds;
        var rounds = count <= 1_000 ? 3 : 1;
        for (var round = 1; round <= rounds; round++)
        {
            using (var host = await WorkerHost.StartAsync(configuration, new ShiftableClock(at), CancellationToken.None, quiet: true))
            {
                var report = await host.Services.GetRequiredService<SnapshotIngest>().UpsertAsync(Organisation(round, count, opening), CancellationToken.None);
                if (report.Rejected.Count > 0)
                {
                    throw new InvalidOperationException($"seeding rejected: {string.Join("; ", report.Rejected.Take(3))}");
                }
                var queued = await host.Services.GetRequiredService<CourseScanner>().ScanAsync(new ScanCourseMessage(round, at), CancellationToken.None);
                if (queued != count)
                {
                    throw new InvalidOperationException($"expected {count} due sends, got {queued}");
                }
            }

            var product = Stopwatch.StartNew();
            var exit = await CliApp.RunAsync(["dispatch", "--drain", "--timeout", "00:30:00", "--at", at.ToString("O"), .. settings.Select(s => $"{s.Key.Replace(":", "__", StringComparison.Ordinal)}={s.Value}")]);
            await ExpectAsync(inbox, count, exit);
            products.Add(product.Elapsed.TotalSeconds);

            var floor = await FloorAsync(azurite.ConnectionString, maildev.SmtpPort, count, round);
            await ExpectAsync(inbox, count, 0);
            floors.Add(floor.Elapsed.TotalSeconds);
        }

        var (best, bestFloor) = (products.Min(), floors.Min());
        Console.WriteLine($"messages: {count} (queue -> maildev inbox), best of {rounds}");
        Console.WriteLine($"cn dispatch --drain: {best:0.00} s, {count / best:0.0} sends/s (host start included); rounds {Rounds(products)}");
        Console.WriteLine($"floor (receive+delete + raw MailKit send): {bestFloor:0.00} s, {count / bestFloor:0.0} sends/s; rounds {Rounds(floors)}");
        Console.WriteLine($"ratio: {best / bestFloor:0.00}x the floor; {(best - hostStart) / bestFloor:0.00}x without the host's start and stop ({hostStart:0.00} s with nothing queued)");
        return 0;
    }

    private static string Rounds(List<double> seconds) => string.Join(" / ", seconds.Select(s => s.ToString("0.00", CultureInfo.InvariantCulture)));

    /// <summary>Waits until maildev holds every mail, then empties it for the next run.</summary>
    private static async Task ExpectAsync(MaildevInbox inbox, int count, int exit)
    {
        var received = (await inbox.WaitForAsync(count, TimeSpan.FromMinutes(count <= 1_000 ? 2 : 20), CancellationToken.None)).Count;
        if (exit != 0 || received != count)
        {
            throw new InvalidOperationException($"exit code {exit}, {received} of {count} mails in maildev");
        }
        await inbox.ClearAsync(CancellationToken.None);
    }

    /// <summary>The same messages through a bare loop: batches of 16 received, each sent raw over one SMTP connection, then deleted; the clock starts once they are queued.</summary>
    private static async Task<Stopwatch> FloorAsync(string connectionString, int smtpPort, int count, int round)
    {
        var queue = new QueueClient(connectionString, $"floor{round}", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync();
        for (var i = 0; i < count; i++)
        {
            await queue.SendMessageAsync($"{{\"n\":{i}}}");
        }
        using var smtp = new SmtpClient();
        var clock = Stopwatch.StartNew();
        await smtp.ConnectAsync("127.0.0.1", smtpPort, SecureSocketOptions.None);
        var sent = 0;
        while (sent < count)
        {
            foreach (var message in (await queue.ReceiveMessagesAsync(16)).Value)
            {
                var mail = new MimeMessage { Subject = "floor", Body = new TextPart("plain") { Text = message.MessageText } };
                mail.From.Add(MailboxAddress.Parse("formation@example.org"));
                mail.To.Add(MailboxAddress.Parse($"floor{sent}@example.org"));
                await smtp.SendAsync(mail);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                sent++;
            }
        }
        await smtp.DisconnectAsync(true);
        return clock;
    }

    private static JsonObject Organisation(int course, int count, DateTimeOffset opening) => new()
    {
        ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Mesure", ["startDate"] = opening.ToString("O") }),
        ["learners"] = new JsonArray([.. Enumerable.Range(1, count).Select(i => (JsonNode)new JsonObject
        {
            ["id"] = i, ["email"] = $"l{i}@example.org", ["firstName"] = $"L{i}", ["lang"] = i % 3 == 0 ? "en" : "fr", ["timeZone"] = "Europe/Paris",
        })]),
        ["enrolments"] = new JsonArray([.. Enumerable.Range(1, count).Select(i => (JsonNode)new JsonObject
        {
            ["id"] = (course * 100_000) + i, ["courseId"] = course, ["learnerId"] = i, ["start"] = opening.ToUnixTimeSeconds(),
        })]),
    };
}
