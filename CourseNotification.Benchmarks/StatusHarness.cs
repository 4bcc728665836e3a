using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using CourseNotification.Storage;

namespace CourseNotification.Benchmarks;

/// <summary>
/// The status page of one course of N learners (5,000 by default) over loopback HTTP against Azurite:
/// the first page, a state filter, an initial filter, a far page and the HTML page, each the best of
/// three, next to the floor measured in the same run: reading the course's snapshots and ledger rows
/// with the raw SDK.
/// </summary>
internal static class StatusHarness
{
    private const long Course = 7;
    private const int Rounds = 3;
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private static readonly string[] LastNames = ["Martin", "Bernard", "Dubois", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Michel", "Garcia"];

    public static async Task<int> RunAsync(int learners)
    {
        await using var bench = await BenchHost.StartAsync();
        using var http = new HttpClient { BaseAddress = bench.Url, Timeout = TimeSpan.FromMinutes(5) };
        var start = DateTimeOffset.UtcNow.AddDays(-20);
        await LoadAsync(bench.ConnectionString, learners, start);
        Console.WriteLine($"course of {learners} learners (a third never came, sends in the ledger for the others)");

        var snapshots = new TableClient(bench.ConnectionString, StorageNames.SnapshotsTable);
        var ledger = new TableClient(bench.ConnectionString, StorageNames.LedgerTable);
        var floor = await BestAsync(async () =>
        {
            var count = 0;
            await foreach (var _ in snapshots.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {StorageNames.Key(Course)}"), maxPerPage: 1000))
            {
                count++;
            }
            await foreach (var _ in ledger.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {StorageNames.Key(Course)}"), maxPerPage: 1000))
            {
                count++;
            }
        });
        Console.WriteLine($"floor: read the snapshots and the ledger rows (raw SDK): {floor:0.000} s");
        foreach (var (what, path) in new[]
        {
            ("first page (100 rows)", $"api/courses/{Course}/status"),
            ("state filter (due)", $"api/courses/{Course}/status?state=due"),
            ("initial filter (D)", $"api/courses/{Course}/status?initial=D"),
            ("page 50", $"api/courses/{Course}/status?page=50"),
            ("HTML page", $"courses/{Course}/status"),
        })
        {
            var time = await BestAsync(async () => (await http.GetAsync(path)).EnsureSuccessStatusCode());
            Console.WriteLine($"{what,-24} {time:0.000} s  ({time / floor:0.00}x the floor)");
        }
        return 0;
    }

    private static async Task<double> BestAsync(Func<Task> run)
    {
        var best = double.MaxValue;
        for (var round = 0; round < Rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            await run();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }

    private static async Task LoadAsync(string connectionString, int learners, DateTimeOffset start)
    {
        var partition = StorageNames.Key(Course);
        await new TableClient(connectionString, StorageNames.CoursesTable).UpsertEntityAsync(
            new TableEntity("course", partition) { ["FullName"] = "Grand cours", ["Visible"] = true, ["StartDate"] = start }, TableUpdateMode.Replace);
        var snapshots = new TableClient(connectionString, StorageNames.SnapshotsTable);
        var ledger = new TableClient(connectionString, StorageNames.LedgerTable);
        var rows = Enumerable.Range(1, learners).Select(i =>
        {
            var came = i % 3 != 0;
            var enrolments = JsonSerializer.Serialize(new[] { new { id = i, method = "manual", active = true, start = start, end = start.AddDays(60) } }, Web);
            return new TableEntity(partition, StorageNames.Key(i))
            {
                ["Enrolments"] = enrolments, ["Roles"] = "student", ["Lang"] = "fr", ["TimeZone"] = "Europe/Paris",
                ["FirstName"] = "Léa", ["LastName"] = LastNames[i % LastNames.Length] + i.ToString(CultureInfo.InvariantCulture), ["Username"] = $"u{i}",
                ["FirstAccess"] = came ? start.AddDays(1) : null, ["LastAccess"] = came ? start.AddDays(2 + i % 10) : null,
            };
        });
        foreach (var chunk in rows.Chunk(100))
        {
            await snapshots.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)));
        }
        var sends = Enumerable.Range(1, learners).Where(i => i % 3 != 0).Select(i =>
            new TableEntity(partition, $"{StorageNames.Key(i)}|welcome|{start:yyyy-MM-dd}|0") { ["State"] = "Sent", ["At"] = start.AddHours(9) });
        foreach (var chunk in sends.Chunk(100))
        {
            await ledger.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)));
        }
    }
}
