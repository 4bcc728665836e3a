using System.Globalization;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Data.Tables;
using CourseNotification.Cli.Hosting;
using CourseNotification.Cli.Local;
using CourseNotification.Dispatch;
using CourseNotification.Enrolments;
using CourseNotification.Scanning;
using CourseNotification.Settings;
using CourseNotification.Storage;
using CourseNotification.Tests.Email;
using CourseNotification.Tests.Integration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Tests.Reliability;

/// <summary>
/// Due sends across many courses, handled by several workers at once while faults are injected: storage
/// calls failing (503, connection lost before or after the call applied) through the SDK's pipeline,
/// the SMTP server refusing or dropping connections (or ACS answering 429 and 500), workers cancelled
/// mid-message at random. Then the poison queue is redriven. At the end, against the inbox (or ACS's
/// record) and the ledger: every due send delivered exactly once, none lost. A few hundred sends in CI;
/// CHAOS_SENDS asks for more (2,000: about as far as Azurite's queues stay quick).
/// </summary>
[TestClass]
[TestCategory("chaos")]
public sealed class ChaosTests
{
    private const int LearnersPerCourse = 40;
    private static readonly int Sends = int.TryParse(Environment.GetEnvironmentVariable("CHAOS_SENDS"), out var n) ? n : 240;
    private static readonly DateTimeOffset At = new(2035, 5, 7, 10, 0, 0, TimeSpan.FromHours(2));

    /// <summary>Short leases and retry delays, so that a worker's death and a retry cost seconds, not minutes.</summary>
    private static readonly QueueSettings Queues = new(BatchSize: 8, MaxDequeueCount: 4, VisibilityTimeout: TimeSpan.FromMilliseconds(200), MaxPollingInterval: TimeSpan.FromSeconds(1))
    {
        ProcessingLease = TimeSpan.FromSeconds(3),
        ClaimLease = TimeSpan.FromSeconds(2),
    };

    /// <summary>
    /// How long a phase may take before the run gives up: 30 s per 240 sends, so that the long form on a
    /// busy machine fails only when something is stuck, never for being slow (an empty queue ends a phase at once).
    /// </summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30 * Math.Max(1.0, Sends / 240.0));

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public Task Over_smtp_every_due_send_is_delivered_exactly_once_whatever_fails() => RunAsync(acs: false);

    [TestMethod]
    public Task Over_acs_every_due_send_is_delivered_exactly_once_whatever_fails() => RunAsync(acs: true);

    private async Task RunAsync(bool acs)
    {
        // Its own Azurite: the scan sweeps every course, and the faults are this run's alone.
        await using var azurite = await AzuriteServer.StartAsync();
        var maildev = await SharedServices.MaildevAsync();
        await using var proxy = new FlakySmtpProxy(maildev.SmtpPort, refuse: 0.15, drop: 0.1);
        await using var fakeAcs = acs ? await FakeAcsServer.StartAsync() : null;
        var faults = new StorageFaults(rate: 0.06, seed: acs ? 13 : 11);
        var run = Guid.NewGuid().ToString("N")[..8];
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Email:Transport"] = acs ? "Acs" : "Smtp",
            ["Email:Acs:ConnectionString"] = fakeAcs?.ConnectionString,
            ["Email:Acs:StatusTimeout"] = "00:00:05",
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = proxy.Port.ToString(CultureInfo.InvariantCulture),
            ["Email:Smtp:Security"] = "None",
            ["Email:From"] = "formation@example.org",
            ["Email:Quota:PerMinute"] = "0",
            ["Email:Quota:PerHour"] = "0",
        };
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<TimeProvider>(new ShiftableClock(At));
        // The service's own account of every send, kept for a run that goes wrong.
        var logs = new CourseNotification.Tests.Security.CapturedLogs();
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton(Queues);
        builder.Services.AddCourseNotification(builder.Configuration);
        builder.Services.AddSingleton(StorageAccount.FromConfiguration(builder.Configuration, options =>
        {
            options.AddPolicy(faults, HttpPipelinePosition.PerRetry);
            // Azure's limits behind the faults, as in every other test's storage clients.
            options.AddPolicy(AzureLimits.For(azurite.ConnectionString), HttpPipelinePosition.PerRetry);
            options.Retry.Delay = TimeSpan.FromMilliseconds(20);
            options.Retry.MaxDelay = TimeSpan.FromMilliseconds(200);
        }));
        using var host = builder.Build();
        await host.StartAsync(TestContext.CancellationToken);
        var services = host.Services;
        var observer = StorageAccount.FromConfiguration(builder.Configuration);

        var expected = await LoadAsync(services.GetRequiredService<SnapshotIngest>(), run);
        await services.GetRequiredService<ScanPlanner>().FanOutAsync(At, TestContext.CancellationToken);

        // Chaos: every fault on, three workers, one of them killed mid-work every few hundred milliseconds.
        var retried = 0;
        faults.On = proxy.On = true;
        if (fakeAcs is not null)
        {
            fakeAcs.Mode = "chaos";
        }
        var workers = Enumerable.Range(0, 3).Select(_ => Start(services, () => Interlocked.Increment(ref retried))).ToList();
        var random = new Random(5);
        var kills = 0;
        var deadline = DateTime.UtcNow + Patience * 3;
        while (DateTime.UtcNow < deadline && !await QueuesEmptyAsync(observer))
        {
            await Task.Delay(random.Next(400, 900), TestContext.CancellationToken);
            var victim = random.Next(workers.Count);
            await workers[victim].Stop.CancelAsync();
            kills++;
            workers[victim] = Start(services, () => Interlocked.Increment(ref retried));
        }
        foreach (var worker in workers)
        {
            await worker.Stop.CancelAsync();
            await worker.Work;
        }
        faults.On = proxy.On = false;
        if (fakeAcs is not null)
        {
            fakeAcs.Mode = "ok";
        }

        // What exhausted its retries waits in the poison queue and the ledger says failed: put it back, let it finish.
        var poisoned = (int)(await observer.Queue(StorageNames.PoisonQueueOf(StorageNames.NotificationsQueue)).GetPropertiesAsync(TestContext.CancellationToken)).Value.ApproximateMessagesCount
            + (int)(await observer.Queue(StorageNames.PoisonQueueOf(StorageNames.ScanCourseQueue)).GetPropertiesAsync(TestContext.CancellationToken)).Value.ApproximateMessagesCount;
        var failedBeforeRedrive = (await StatesAsync(observer, expected.Courses)).GetValueOrDefault("Failed");
        // As an operator would: redrive, let the workers finish, and redrive again what the last stragglers poisoned.
        var finisher = Start(services, () => Interlocked.Increment(ref retried));
        var (settled, redrives) = (false, 0);
        while (!settled && redrives < 3)
        {
            await services.GetRequiredService<PoisonRedrive>().RedriveAsync(TestContext.CancellationToken);
            redrives++;
            for (var wait = DateTime.UtcNow + Patience; DateTime.UtcNow < wait && !(settled = await SettledAsync(observer, expected.Courses));)
            {
                await Task.Delay(250, TestContext.CancellationToken);
            }
        }
        await finisher.Stop.CancelAsync();
        await finisher.Work;

        // The count, against what the provider holds and what the ledger says.
        var delivered = acs
            ? fakeAcs!.Accepted.Values.Where(expected.Addresses.Contains).GroupBy(a => a).ToDictionary(g => g.Key, g => g.Count())
            : (await new MaildevInbox(maildev.WebUrl).ReadAsync(TestContext.CancellationToken)).Select(m => m.To).Where(expected.Addresses.Contains).GroupBy(a => a).ToDictionary(g => g.Key, g => g.Count());
        var duplicates = delivered.Values.Sum(c => c - 1);
        var lost = expected.Addresses.Count(a => !delivered.ContainsKey(a));
        var states = await StatesAsync(observer, expected.Courses);
        var stuck = new List<string>();
        foreach (var course in expected.Courses)
        {
            await foreach (var row in observer.Table(StorageNames.LedgerTable).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {StorageNames.Key(course)} and State ne 'Sent'")))
            {
                stuck.Add($"{row.RowKey} {row.GetString("State")} lease {row.GetDateTimeOffset("LeaseUntil"):HH:mm:ss.fff} attempts {row.GetInt32("Attempts")} error {row.GetString("LastError")}");
            }
        }
        var left = $"queues left: notifications {(await observer.Queue(StorageNames.NotificationsQueue).GetPropertiesAsync()).Value.ApproximateMessagesCount}, poison {(await observer.Queue(StorageNames.PoisonQueueOf(StorageNames.NotificationsQueue)).GetPropertiesAsync()).Value.ApproximateMessagesCount}; not sent: {string.Join("; ", stuck)}";
        var faultsText = acs ? $"ACS 429 {fakeAcs!.Refusals.Throttled}, 500 {fakeAcs.Refusals.Errors}, repeats de-duplicated {fakeAcs.Repeats}" : $"SMTP refused {proxy.Refused}, dropped {proxy.Dropped}";
        var summary = $"chaos over {(acs ? "ACS" : "SMTP")}: expected {expected.Addresses.Count}, delivered {delivered.Count}, duplicates {duplicates}, lost {lost}, "
            + $"retried {retried}, poisoned {poisoned} (ledger failed {failedBeforeRedrive}) then redriven ({redrives} pass(es)); faults: storage {faults.Injected}, {faultsText}, workers killed {kills}; "
            + $"ledger: {string.Join(", ", states.Select(s => $"{s.Key} {s.Value}"))}";
        TestContext.WriteLine(summary);
        Console.WriteLine(summary);
        await File.AppendAllTextAsync(Path.Combine(ResultsFolder(), "chaos.txt"), summary + Environment.NewLine, TestContext.CancellationToken);

        if (!settled || lost > 0 || duplicates > 0)
        {
            var logFile = Path.Combine(ResultsFolder(), $"chaos-{run}.log");
            await File.WriteAllLinesAsync(logFile, logs.Lines.Select(l => l.ReplaceLineEndings(" ")), TestContext.CancellationToken);
            left += $"\nthe service's log of this run: {logFile}";
        }
        Assert.IsTrue(settled, "the queues emptied and no send stayed in flight: " + summary + "\n" + left);
        Assert.AreEqual((0, 0), (duplicates, lost), summary + "\n" + left);
        Assert.AreEqual(expected.Addresses.Count, states.GetValueOrDefault("Sent"), "the ledger says sent for each: " + summary);
        Assert.IsTrue(faults.Injected > 0 && kills > 0 && retried > 0, "faults really happened: " + summary);
    }

    private sealed record Expected(IReadOnlySet<string> Addresses, IReadOnlyList<long> Courses);

    /// <summary>Courses of 40 learners who all start today: one welcome due for each, and nothing else.</summary>
    private static async Task<Expected> LoadAsync(SnapshotIngest ingest, string run)
    {
        var courses = Enumerable.Range(1, Math.Max(1, Sends / LearnersPerCourse)).Select(c => 700L + c).ToList();
        var addresses = new HashSet<string>(StringComparer.Ordinal);
        foreach (var course in courses)
        {
            var learners = Enumerable.Range(1, LearnersPerCourse).Select(l => course * 1000 + l).ToList();
            addresses.UnionWith(learners.Select(l => $"chaos-{run}-{l}@example.org"));
            var report = await ingest.UpsertAsync(new JsonObject
            {
                ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = $"Chaos {course}", ["startDate"] = At.AddHours(-2).ToString("O") }),
                ["learners"] = new JsonArray([.. learners.Select(l => new JsonObject { ["id"] = l, ["email"] = $"chaos-{run}-{l}@example.org", ["lang"] = l % 2 == 0 ? "fr" : "en" })]),
                ["enrolments"] = new JsonArray([.. learners.Select(l => new JsonObject { ["id"] = l, ["courseId"] = course, ["learnerId"] = l, ["start"] = At.AddHours(-2).ToUnixTimeSeconds() })]),
            }, CancellationToken.None);
            Assert.AreEqual(0, report.Rejected.Count);
        }
        return new Expected(addresses, courses);
    }

    private sealed record Worker(Task Work, CancellationTokenSource Stop);

    /// <summary>A worker as the Functions host runs one: both queues, batch after batch, until it is stopped (or killed).</summary>
    private static Worker Start(IServiceProvider services, Action onFailure)
    {
        var stop = new CancellationTokenSource();
        var storage = services.GetRequiredService<StorageAccount>();
        var scanner = services.GetRequiredService<CourseScanner>();
        var dispatcher = services.GetRequiredService<NotificationDispatcher>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger<QueueProcessor>();
        QueueProcessor[] processors =
        [
            new(storage, StorageNames.ScanCourseQueue, (body, _, ct) => scanner.ScanAsync(QueueWriter.Read<ScanCourseMessage>(body), ct), Queues, logger),
            new(storage, StorageNames.NotificationsQueue, async (body, tries, ct) =>
            {
                try
                {
                    await dispatcher.HandleAsync(QueueWriter.Read<NotificationMessage>(body), tries, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    onFailure();
                    throw;
                }
            }, Queues, logger),
        ];
        var work = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var received = 0;
                foreach (var processor in processors)
                {
                    try
                    {
                        received += await processor.ProcessBatchAsync(stop.Token);
                    }
                    catch (Exception) when (stop.IsCancellationRequested)
                    {
                        // Killed mid-call: whatever the SDK threw on the way out (cancelled, or a stream it closed), the worker is gone.
                        return;
                    }
                    catch (Exception)
                    {
                        // Storage failed under the worker itself (receive, delete): the host logs it and polls again.
                    }
                }
                if (received == 0)
                {
                    try
                    {
                        await Task.Delay(50, stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
        });
        return new Worker(work, stop);
    }

    /// <summary>Nothing left in either queue, visible or not (what exhausted its retries waits in the poison queue).</summary>
    private static async Task<bool> QueuesEmptyAsync(StorageAccount storage)
    {
        foreach (var queue in new[] { StorageNames.ScanCourseQueue, StorageNames.NotificationsQueue })
        {
            if ((await storage.Queue(queue).GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The queues empty and every send of these courses out of flight (none claimed or queued).</summary>
    private static async Task<bool> SettledAsync(StorageAccount storage, IReadOnlyList<long> courses)
    {
        if (!await QueuesEmptyAsync(storage))
        {
            return false;
        }
        var states = await StatesAsync(storage, courses);
        return states.GetValueOrDefault("Claimed") + states.GetValueOrDefault("Queued") == 0 && states.Values.Sum() > 0;
    }

    private static async Task<Dictionary<string, int>> StatesAsync(StorageAccount storage, IReadOnlyList<long> courses)
    {
        var states = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var course in courses)
        {
            await foreach (var row in storage.Table(StorageNames.LedgerTable).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {StorageNames.Key(course)}"), select: ["State"]))
            {
                var state = row.GetString("State")!;
                states[state] = states.GetValueOrDefault(state) + 1;
            }
        }
        return states;
    }

    private static string ResultsFolder()
    {
        var folder = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "TestResults"));
        Directory.CreateDirectory(folder);
        return folder;
    }
}
