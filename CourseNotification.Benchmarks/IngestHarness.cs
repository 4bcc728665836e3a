using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;

namespace CourseNotification.Benchmarks;

/// <summary>
/// Moodle events per second accepted (202) by <c>serve</c> over loopback HTTP against Azurite, one event
/// per request as push plugins send them, next to the raw Table upsert rate measured in the same run
/// with the same concurrency.
/// </summary>
internal static class IngestHarness
{
    private const int Concurrency = 8;

    public static async Task<int> RunAsync(int count)
    {
        await using var bench = await BenchHost.StartAsync();
        using var http = new HttpClient { BaseAddress = bench.Url };
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        // Warm up the host and the storage connections, outside the measure.
        await PostAsync(http, EnrolmentCreated(1, 1, created));

        var events = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(2, count), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, _) =>
            await PostAsync(http, EnrolmentCreated(1 + (i % 20), i, created)));
        events.Stop();

        var table = new TableClient(bench.ConnectionString, "floor");
        await table.CreateIfNotExistsAsync();
        var floor = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, ct) =>
            await table.UpsertEntityAsync(new TableEntity("p" + (i % 20).ToString(CultureInfo.InvariantCulture), i.ToString("D12", CultureInfo.InvariantCulture)) { ["Value"] = i }, TableUpdateMode.Replace, ct));
        floor.Stop();

        Console.WriteLine($"events: {count} user_enrolment_created, one per request, {Concurrency} at a time, 20 courses");
        Console.WriteLine($"serve accepted (202): {events.Elapsed.TotalSeconds:0.00} s, {count / events.Elapsed.TotalSeconds:0.0} events/s");
        Console.WriteLine($"raw Table upserts: {floor.Elapsed.TotalSeconds:0.00} s, {count / floor.Elapsed.TotalSeconds:0.0} upserts/s");
        Console.WriteLine($"ratio: {events.Elapsed / floor.Elapsed:0.00}x the time of one raw upsert per event");
        return 0;
    }

    private static async Task PostAsync(HttpClient http, string body)
    {
        using var response = await http.PostAsync("api/moodle/events", new StringContent(body, Encoding.UTF8, "application/json"));
        if ((int)response.StatusCode != 202)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static string EnrolmentCreated(int course, int learner, string created) => new JsonObject
    {
        ["eventname"] = @"\core\event\user_enrolment_created",
        ["component"] = "core",
        ["action"] = "created",
        ["target"] = "user_enrolment",
        ["objectid"] = learner.ToString(CultureInfo.InvariantCulture),
        ["courseid"] = course.ToString(CultureInfo.InvariantCulture),
        ["relateduserid"] = learner.ToString(CultureInfo.InvariantCulture),
        ["userid"] = "2",
        ["other"] = new JsonObject { ["enrol"] = "manual" },
        ["timecreated"] = created,
    }.ToJsonString();
}
