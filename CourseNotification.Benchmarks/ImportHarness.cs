using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using CourseNotification.Enrolments;
using CourseNotification.Storage;

namespace CourseNotification.Benchmarks;

/// <summary>
/// <c>POST /api/import/csv</c> of an N-line Moodle report export (French headers, ';', courses of 1,000
/// learners, each learner in about four courses, sorted by course then learner as the report lists them)
/// over loopback HTTP to the local host against Azurite, in lines per second, next to the floor measured
/// in the same run: the entities the import wrote (courses, learners, snapshots, learner-course index
/// rows), written again into fresh tables with the raw SDK, in batch transactions wherever rows share a
/// partition, with the same concurrency. Then the parser alone on a file of 32,000 lines with an
/// unbalanced quote (the case that took 268 s of one core).
/// </summary>
internal static class ImportHarness
{
    private const int PerCourse = 1_000;
    private const int CoursesPerLearner = 4;
    private const int WarmCourses = 900_000;
    private const int WarmLearners = 50_000_000;

    public static async Task<int> RunAsync(int lines)
    {
        await using var bench = await BenchHost.StartAsync();
        using var http = new HttpClient { BaseAddress = bench.Url, Timeout = TimeSpan.FromMinutes(30) };

        // Warm the host, the route and the storage connections on a small file of other courses, outside the measure.
        var warm = Path.Combine(Path.GetTempPath(), $"import-warm-{Environment.ProcessId}.csv");
        await WriteCsvAsync(warm, 2_000, firstCourse: WarmCourses, firstLearner: WarmLearners);
        await PostAsync(http, warm);
        File.Delete(warm);

        var path = Path.Combine(Path.GetTempPath(), $"import-{lines}-{Environment.ProcessId}.csv");
        await WriteCsvAsync(path, lines, firstCourse: 1, firstLearner: 1_000);
        var bytes = new FileInfo(path).Length;
        var import = Stopwatch.StartNew();
        var report = await PostAsync(http, path);
        import.Stop();
        var reimport = Stopwatch.StartNew();
        var again = await PostAsync(http, path);
        reimport.Stop();
        File.Delete(path);

        var created = report.GetProperty("enrolments").GetProperty("created").GetInt32();
        var updated = again.GetProperty("enrolments").GetProperty("updated").GetInt32();
        if (created != lines || updated != lines || report.GetProperty("rejectedTotal").GetInt32() != 0)
        {
            Console.Error.WriteLine($"unexpected answer: {report} / {again}");
            return 1;
        }

        var floor = await FloorAsync(bench.ConnectionString);

        Console.WriteLine($"file: {lines:N0} lines, {bytes / 1e6:0.0} MB, {lines / PerCourse} courses of {PerCourse:N0}, {lines / CoursesPerLearner:N0} learners in ~{CoursesPerLearner} courses each");
        Console.WriteLine($"POST /api/import/csv (new rows): {import.Elapsed.TotalSeconds:0.0} s, {lines / import.Elapsed.TotalSeconds:N0} lines/s");
        Console.WriteLine($"the same file again (all rows known, nothing changes): {reimport.Elapsed.TotalSeconds:0.0} s, {lines / reimport.Elapsed.TotalSeconds:N0} lines/s");
        Console.WriteLine($"raw writes of the same entities ({floor.Entities:N0} in {floor.Requests:N0} requests, {TableBatches.Concurrency} at a time): {floor.Elapsed.TotalSeconds:0.0} s, {lines / floor.Elapsed.TotalSeconds:N0} lines/s");
        Console.WriteLine($"ratio: {import.Elapsed / floor.Elapsed:0.00}x the floor");

        await ParseUnbalancedAsync(32_000);
        return 0;
    }

    /// <summary>The parser alone, on a file whose second line opens a quote that nothing closes.</summary>
    private static async Task ParseUnbalancedAsync(int lines)
    {
        var text = new StringBuilder("Course ID;User ID;Last name\n");
        for (var i = 0; i < lines; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"1;{i + 1};{(i == 0 ? "\"Smith" : "Smith")}\n");
        }
        var csv = text.ToString();
        var best = TimeSpan.MaxValue;
        var records = 0;
        for (var round = 0; round < 5; round++)
        {
            var watch = Stopwatch.StartNew();
            var reader = new CsvRecordReader(new StringReader(csv)) { Delimiter = ';' };
            records = 0;
            while (await reader.ReadAsync(CancellationToken.None) is not null)
            {
                records++;
            }
            best = watch.Elapsed < best ? watch.Elapsed : best;
        }
        Console.WriteLine($"parser, {lines:N0} lines with an unbalanced quote on the first: {best.TotalMilliseconds:0.0} ms (best of 5), {records:N0} records (the unbalanced one refused)");
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path)
    {
        await using var file = File.OpenRead(path);
        using var content = new StreamContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var response = await http.PostAsync("api/import/csv", content);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}: {body}");
        }
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>A report export as Moodle writes it: French headers, long dates, a method per row.</summary>
    private static async Task WriteCsvAsync(string path, int lines, int firstCourse, int firstLearner)
    {
        var learners = lines / CoursesPerLearner;
        await using var writer = new StreamWriter(path, false, new UTF8Encoding(true));
        await writer.WriteLineAsync("Cours : ID du cours;Cours : Nom complet du cours;Utilisateur : ID utilisateur;Utilisateur : Prénom;Utilisateur : Nom de famille;Utilisateur : Adresse de courriel;Utilisateur : Langue préférée;Inscription : Date de début;Inscription : Statut;Accès au cours : Dernier accès;Inscription : Méthode d'inscription");
        for (var line = 0; line < lines; line++)
        {
            var course = firstCourse + line / PerCourse;
            // Each course takes a run of learner ids (cohorts are created together), overlapping the next courses' runs:
            // every learner is in about CoursesPerLearner courses.
            var pool = Math.Max(learners, PerCourse);
            var step = pool / Math.Max(1, (lines + PerCourse - 1) / PerCourse);
            var learner = firstLearner + (line / PerCourse * step + line % PerCourse) % pool;
            await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{course};\"Sécurité ; niveau {course}\";{learner};Prénom{learner};Nom{learner};p{learner}@example.org;{(learner % 3 == 0 ? "English" : "Français")};lundi 5 janvier 2026, 09:00;{(learner % 20 == 0 ? "Suspendu" : "Actif")};{1767700800 + learner};Inscription manuelle"));
        }
    }

    private static bool IsWarmUp(string table, TableEntity entity) => table switch
    {
        StorageNames.CoursesTable => StorageNames.ParseKey(entity.RowKey) >= WarmCourses,
        StorageNames.LearnersTable or StorageNames.LearnerCoursesTable => StorageNames.ParseKey(entity.PartitionKey) >= WarmLearners,
        _ => StorageNames.ParseKey(entity.PartitionKey) >= WarmCourses,
    };

    /// <summary>Every entity the import wrote, read back, then written again into fresh tables as cheaply as the SDK allows (timed).</summary>
    private static async Task<(TimeSpan Elapsed, int Entities, int Requests)> FloorAsync(string connectionString)
    {
        var service = new TableServiceClient(connectionString);
        var tables = new[] { StorageNames.CoursesTable, StorageNames.LearnersTable, StorageNames.LearnerCoursesTable, StorageNames.SnapshotsTable };
        var work = new List<(TableClient Table, IReadOnlyList<IReadOnlyList<TableTransactionAction>> Batches)>();
        foreach (var name in tables)
        {
            var rows = new List<TableTransactionAction>();
            await foreach (var entity in service.GetTableClient(name).QueryAsync<TableEntity>(maxPerPage: 1000))
            {
                if (IsWarmUp(name, entity))
                {
                    continue;
                }
                entity.Remove("odata.etag");
                entity.Remove("Timestamp");
                rows.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity));
            }
            var copy = service.GetTableClient("floor" + name);
            await copy.CreateIfNotExistsAsync();
            work.Add((copy, TableBatches.Plan(rows)));
        }
        var batches = work.SelectMany(w => w.Batches.Select(b => (w.Table, Batch: b))).ToList();
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(batches, TableBatches.Options(CancellationToken.None), async (b, ct) => await TableBatches.SubmitOneAsync(b.Table, b.Batch, ct));
        watch.Stop();
        return (watch.Elapsed, batches.Sum(b => b.Batch.Count), batches.Count);
    }
}
