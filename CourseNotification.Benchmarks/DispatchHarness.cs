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
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var opening = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.FromHours(1));
        var at = opening.AddHours(10);
        using var inbox = new MaildevInbox(maildev.WebUrl);

        // Seed one course of `count` learners whose welcome is due, and queue their sends with a scan.
        using (var host = await WorkerHost.StartAsync(configuration, new ShiftableClock(at), CancellationToken.None, quiet: true))
        {
            var report = await host.Services.GetRequiredService<SnapshotIngest>().UpsertAsync(Organisation(count, opening), CancellationToken.None);
            Console.WriteLine($"seeded: {report.Learners.Created} learners, {report.Enrolments.Created} enrolments, {report.Rejected.Count} rejected {string.Join("; ", report.Rejected.Take(3))}");
            var queued = await host.Services.GetRequiredService<CourseScanner>().ScanAsync(new ScanCourseMessage(1, at), CancellationToken.None);
            if (queued != count)
            {
                throw new InvalidOperationException($"expected {count} due sends, got {queued}");
            }
        }

        var product = Stopwatch.StartNew();
        var exit = await CliApp.RunAsync(["dispatch", "--drain", "--at", at.ToString("O"), .. settings.Select(s => $"{s.Key.Replace(":", "__", StringComparison.Ordinal)}={s.Value}")]);
        var received = (await inbox.WaitForAsync(count, TimeSpan.FromMinutes(2), CancellationToken.None)).Count;
        product.Stop();
        if (exit != 0 || received != count)
        {
            throw new InvalidOperationException($"dispatch exited {exit} with {received} of {count} mails in maildev");
        }
        await inbox.ClearAsync(CancellationToken.None);

        var floor = await FloorAsync(azurite.ConnectionString, maildev.SmtpPort, count);
        received = (await inbox.WaitForAsync(count, TimeSpan.FromMinutes(2), CancellationToken.None)).Count;

        Console.WriteLine($"messages: {count} (queue -> maildev inbox)");
        Console.WriteLine($"cn dispatch --drain: {product.Elapsed.TotalSeconds:0.00} s, {count / product.Elapsed.TotalSeconds:0.0} sends/s (host start included)");
        Console.WriteLine($"floor (receive+delete + raw MailKit send): {floor.TotalSeconds:0.00} s, {count / floor.TotalSeconds:0.0} sends/s ({received} received)");
        Console.WriteLine($"ratio: {product.Elapsed / floor:0.00}x the floor");
        return 0;
    }

    /// <summary>The same messages through a bare loop: batches of 16 received, each sent raw over one SMTP connection, then deleted.</summary>
    private static async Task<TimeSpan> FloorAsync(string connectionString, int smtpPort, int count)
    {
        var queue = new QueueClient(connectionString, "floor", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
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
        return clock.Elapsed;
    }

    private static JsonObject Organisation(int count, DateTimeOffset opening) => new()
    {
        ["courses"] = new JsonArray(new JsonObject { ["id"] = 1, ["fullName"] = "Mesure", ["startDate"] = opening.ToString("O") }),
        ["learners"] = new JsonArray([.. Enumerable.Range(1, count).Select(i => (JsonNode)new JsonObject
        {
            ["id"] = i, ["email"] = $"l{i}@example.org", ["firstName"] = $"L{i}", ["lang"] = i % 3 == 0 ? "en" : "fr", ["timeZone"] = "Europe/Paris",
        })]),
        ["enrolments"] = new JsonArray([.. Enumerable.Range(1, count).Select(i => (JsonNode)new JsonObject
        {
            ["id"] = i, ["courseId"] = 1, ["learnerId"] = i, ["start"] = opening.ToUnixTimeSeconds(),
        })]),
    };
}
