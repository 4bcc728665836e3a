using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using CourseNotification.Scanning;
using CourseNotification.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Benchmarks;

/// <summary>
/// The scan and its fan-out over N enrolment snapshots (courses of 5,000 learners; about 3% due: they start
/// today), course after course as the scan-course queue feeds them, next to the floor measured in the
/// same run on the same Azurite: reading the same snapshots and ledger rows with the raw SDK and enqueuing
/// as many messages. The peak managed memory of the process during each is sampled.
/// </summary>
internal static class ScanHarness
{
    private const int PerCourse = 5_000;
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static async Task<int> RunAsync(IReadOnlyList<int> sizes)
    {
        Console.WriteLine($"{"N",9} {"due",6} {"scan+fan-out",13} {"floor",8} {"ratio",6} {"peak MB scan",13} {"peak MB floor",14}  rounds (scan/floor)");
        foreach (var n in sizes)
        {
            await using var bench = await BenchHost.StartAsync();
            var at = new DateTimeOffset(2031, 3, 10, 9, 30, 0, TimeSpan.FromHours(1));
            var scanner = bench.Services.GetRequiredService<CourseScanner>();

            // Warm both paths on a small course of their own first, so neither pays for the first JIT or connection.
            var warmUp = await LoadAsync(bench.ConnectionString, 500, at, firstCourse: 9_000);
            await scanner.ScanAsync(new ScanCourseMessage(warmUp[0], at), CancellationToken.None);
            await FloorAsync(bench.ConnectionString, warmUp, 10);

            // A scan marks what it queued, so each round scans courses of its own (same shape, fresh ids); small
            // sizes get three rounds (this machine is noisy), the best of each side is compared.
            var rounds = new List<(int Due, double Scan, double ScanPeak, double Floor, double FloorPeak)>();
            for (var round = 0; round < (n <= 20_000 ? 3 : 1); round++)
            {
                var courses = await LoadAsync(bench.ConnectionString, n, at, firstCourse: 1 + (round * 10_000));
                var (due, scanTime, scanPeak) = await MeasureAsync(async () =>
                {
                    var queued = 0;
                    foreach (var course in courses)
                    {
                        queued += await scanner.ScanAsync(new ScanCourseMessage(course, at), CancellationToken.None);
                    }
                    return queued;
                });
                var (_, floorTime, floorPeak) = await MeasureAsync(() => FloorAsync(bench.ConnectionString, courses, due));
                rounds.Add((due, scanTime, scanPeak, floorTime, floorPeak));
            }
            var (scan, floor) = (rounds.Min(r => r.Scan), rounds.Min(r => r.Floor));
            var all = string.Join(", ", rounds.Select(r => $"{r.Scan:0.00}/{r.Floor:0.00}"));
            Console.WriteLine($"{n,9} {rounds[0].Due,6} {scan,11:0.00} s {floor,6:0.00} s {scan / floor,5:0.00}x {rounds.Max(r => r.ScanPeak),13:0} {rounds.Max(r => r.FloorPeak),14:0}  {all}");
        }
        return 0;
    }

    /// <summary>Time and peak managed heap (sampled every 50 ms) of one run.</summary>
    private static async Task<(int Result, double Seconds, double PeakMegabytes)> MeasureAsync(Func<Task<int>> run)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long peak = GC.GetTotalMemory(true);
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false));
                await Task.Delay(50);
            }
        });
        var clock = Stopwatch.StartNew();
        var result = await run();
        var seconds = clock.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        await sampler;
        return (result, seconds, peak / 1024.0 / 1024.0);
    }

    /// <summary>The same entities read with the raw SDK, page by page, and as many messages enqueued.</summary>
    private static async Task<int> FloorAsync(string connectionString, IReadOnlyList<long> courses, int messages)
    {
        var snapshots = new TableClient(connectionString, StorageNames.SnapshotsTable);
        var ledger = new TableClient(connectionString, StorageNames.LedgerTable);
        var queue = new QueueClient(connectionString, "floor", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync();
        var read = 0;
        foreach (var course in courses)
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {StorageNames.Key(course)}");
            await foreach (var _ in snapshots.QueryAsync<TableEntity>(filter, maxPerPage: CourseDecisions.PageSize))
            {
                read++;
            }
            await foreach (var _ in ledger.QueryAsync<TableEntity>(filter, maxPerPage: 1000))
            {
                read++;
            }
        }
        // As many messages, as many at a time as the scan sends them.
        await Parallel.ForEachAsync(Enumerable.Range(0, messages), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await queue.SendMessageAsync($"{{\"courseId\":1,\"learnerId\":{i},\"signal\":\"welcome\"}}", ct));
        return read;
    }

    /// <summary>N learners in courses of 5,000: 3% start today (welcome due), the others started weeks ago, came, and were welcomed.</summary>
    private static async Task<IReadOnlyList<long>> LoadAsync(string connectionString, int n, DateTimeOffset at, int firstCourse = 1)
    {
        var courses = Enumerable.Range(firstCourse, Math.Max(1, n / PerCourse)).Select(c => (long)c).ToList();
        var courseTable = new TableClient(connectionString, StorageNames.CoursesTable);
        var snapshots = new TableClient(connectionString, StorageNames.SnapshotsTable);
        var ledger = new TableClient(connectionString, StorageNames.LedgerTable);
        var clock = Stopwatch.StartNew();
        var loaded = 0;
        // Two courses at a time keep Azurite busy while the other batch is being serialised.
        await Parallel.ForEachAsync(courses, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (course, ct) =>
        {
            var random = new Random((int)course);
            var partition = StorageNames.Key(course);
            var courseStart = at.AddDays(-60);
            await courseTable.UpsertEntityAsync(new TableEntity("course", partition) { ["FullName"] = $"Cours {course}", ["Visible"] = true, ["StartDate"] = courseStart }, cancellationToken: ct);
            var rows = new List<TableEntity>();
            var sends = new List<TableEntity>();
            for (var i = 1; i <= Math.Min(PerCourse, n); i++)
            {
                var fresh = random.Next(100) < 3;
                var start = fresh ? at.AddHours(-1) : at.AddDays(-random.Next(20, 50));
                var enrolments = JsonSerializer.Serialize(new[] { new { id = i, method = "manual", active = true, start, end = start.AddDays(120) } }, Web);
                rows.Add(new TableEntity(partition, StorageNames.Key(i))
                {
                    ["Enrolments"] = enrolments, ["Roles"] = "student", ["Lang"] = "fr", ["TimeZone"] = "Europe/Paris",
                    ["FirstAccess"] = fresh ? null : start.AddDays(1), ["LastAccess"] = fresh ? null : at.AddDays(-random.Next(0, 10)),
                });
                if (!fresh)
                {
                    sends.Add(new TableEntity(partition, $"{StorageNames.Key(i)}|welcome|{start.ToOffset(TimeSpan.FromHours(1)):yyyy-MM-dd}|0") { ["State"] = "Sent", ["At"] = start.AddHours(9) });
                }
            }
            foreach (var chunk in rows.Chunk(100))
            {
                await snapshots.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), ct);
            }
            foreach (var chunk in sends.Chunk(100))
            {
                await ledger.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), ct);
            }
            if (Interlocked.Add(ref loaded, rows.Count) % 100_000 < rows.Count && n >= 100_000)
            {
                Console.WriteLine($"  loaded {loaded:N0} snapshots in {clock.Elapsed.TotalMinutes:0.0} min");
            }
        });
        return courses;
    }
}
