using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using CourseNotification.Questionnaires;
using CourseNotification.Reports;
using CourseNotification.Signals;
using CourseNotification.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Benchmarks;

/// <summary>
/// The Qualiopi report of 10,000 answers x 15 questions x 40 courses (a fifth with a comment; invitations
/// and reminders sent, and counted as the dispatcher counts them), built from Azurite, next to the floor
/// measured in the same run: reading the same range of answers with the raw SDK, as many courses at once.
/// Five rounds; the best of each is compared.
/// </summary>
internal static class ReportHarness
{
    private const int Courses = 40, Questions = 15, Rounds = 5;
    private static readonly DateOnly From = new(2031, 1, 1), To = new(2031, 3, 31);
    private static readonly string[] Paces = ["slow", "right", "fast"], Modes = ["online", "site"], Topics = ["a", "b", "c", "d"];

    public static async Task<int> RunAsync(int answerCount)
    {
        await using var bench = await BenchHost.StartAsync();
        var services = bench.Services;
        var setup = Stopwatch.StartNew();
        var definition = await LoadAsync(services, bench.ConnectionString, answerCount);
        Console.WriteLine($"data: {answerCount} answers x {Questions} questions x {Courses} courses, loaded in {setup.Elapsed.TotalSeconds:0.0} s");

        var aggregator = services.GetRequiredService<QualiopiAggregator>();
        var scope = new ReportScope([.. Enumerable.Range(1, Courses).Select(i => (long)i)], From, To, definition.Id, null, "fr");
        var answers = new TableClient(bench.ConnectionString, StorageNames.AnswersTable);
        var (floors, figures, pdfs) = (new List<double>(), new List<double>(), new List<double>());
        QualiopiReport? report = null;
        for (var round = 0; round < Rounds; round++)
        {
            var floor = Stopwatch.StartNew();
            var read = await ReadAllAsync(answers, scope);
            floors.Add(floor.Elapsed.TotalSeconds);
            if (read != answerCount)
            {
                throw new InvalidOperationException($"Read {read} answers, expected {answerCount}.");
            }
            var build = Stopwatch.StartNew();
            report = await aggregator.BuildAsync(scope, null, CancellationToken.None);
            figures.Add(build.Elapsed.TotalSeconds);
            var render = Stopwatch.StartNew();
            using var pdf = new MemoryStream();
            ReportPdf.Write(report, pdf);
            pdfs.Add(render.Elapsed.TotalSeconds);
            if (round == 0)
            {
                Console.WriteLine($"pdf: {pdf.Length / 1024} KiB");
            }
        }
        // The read alone, through the store (parsed) and raw, course after course.
        var answerStore = services.GetRequiredService<AnswerStore>();
        await PartAsync("answers, read and parsed", async course =>
        {
            await foreach (var _ in answerStore.ListPagesAsync(course, scope.Previous().From, scope.To, CancellationToken.None))
            {
            }
        });
        await PartAsync("the floor's raw read", course => ReadAllAsync(answers, scope with { Courses = [course] }));

        if (report!.Participation.Answered != answerCount)
        {
            throw new InvalidOperationException($"The report counted {report.Participation.Answered} answers.");
        }
        var (bestFloor, bestFigures, bestPdf) = (floors.Min(), figures.Min(), pdfs.Min());
        Console.WriteLine($"read the answers (raw SDK, 4 courses at once): {Seconds(floors)}");
        Console.WriteLine($"report figures:                               {Seconds(figures)}");
        Console.WriteLine($"pdf drawing ({report.Questions.Count} charts, {report.Comments.Count} comments): {Seconds(pdfs)}");
        Console.WriteLine($"ratio: figures {bestFigures / bestFloor:0.00}x the read; figures + pdf {(bestFigures + bestPdf) / bestFloor:0.00}x (target 1.5x)");
        return 0;
    }

    private static async Task PartAsync(string what, Func<long, Task> read)
    {
        var clock = Stopwatch.StartNew();
        for (var course = 1; course <= Courses; course++)
        {
            await read(course);
        }
        Console.WriteLine($"  sequential read of {what}: {clock.Elapsed.TotalSeconds:0.000} s");
    }

    private static string Seconds(List<double> values) => $"best {values.Min():0.000} s, rounds {string.Join(" / ", values.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture)))}";

    /// <summary>The floor: the same answers, the same range per course, the same paging, nothing done with them.</summary>
    private static async Task<int> ReadAllAsync(TableClient answers, ReportScope scope)
    {
        var count = 0;
        var previous = scope.Previous();
        await Parallel.ForEachAsync(scope.Courses, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (course, ct) =>
        {
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey eq {StorageNames.Key(course)} and RowKey ge {previous.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} and RowKey lt {scope.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "|~"}");
            await foreach (var row in answers.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: ct))
            {
                if (row.GetString("Values") is { Length: > 0 })
                {
                    Interlocked.Increment(ref count);
                }
            }
        });
        return count;
    }

    /// <summary>A 15-question questionnaire, 40 courses of learners with names, their invitations, reminders and answers.</summary>
    private static async Task<QuestionnaireDefinition> LoadAsync(IServiceProvider services, string connectionString, int answerCount)
    {
        Dictionary<string, string> Both(string text) => new() { ["fr"] = text, ["en"] = text };
        var questions = new List<Question>();
        for (var i = 1; i <= 10; i++)
        {
            questions.Add(new Question($"s{i}", QuestionType.Scale5, Both($"Affirmation numéro {i} sur la formation."), Required: true));
        }
        questions.Add(new Question("nps", QuestionType.Nps, Both("Recommanderiez-vous cette formation ?")));
        questions.Add(new Question("pace", QuestionType.SingleChoice, Both("Rythme"), Choices: [new("slow", Both("lent")), new("right", Both("adapté")), new("fast", Both("rapide"))]));
        questions.Add(new Question("mode", QuestionType.SingleChoice, Both("Format"), Choices: [new("online", Both("distanciel")), new("site", Both("présentiel"))]));
        questions.Add(new Question("topics", QuestionType.MultipleChoice, Both("Thèmes utiles"), Choices: [new("a", Both("A")), new("b", Both("B")), new("c", Both("C")), new("d", Both("D"))]));
        questions.Add(new Question("comment", QuestionType.Text, Both("Un commentaire ?")));
        var definition = new QuestionnaireDefinition("bench", Both("Évaluation"), questions);
        await services.GetRequiredService<QuestionnaireCatalog>().SaveAsync(definition, CancellationToken.None);

        var random = new Random(42);
        var courses = new TableClient(connectionString, StorageNames.CoursesTable);
        var snapshots = new TableClient(connectionString, StorageNames.SnapshotsTable);
        var ledger = new TableClient(connectionString, StorageNames.LedgerTable);
        var answers = new TableClient(connectionString, StorageNames.AnswersTable);
        var answerStore = services.GetRequiredService<AnswerStore>();
        Campaign[] campaigns = [new() { Id = "hot", Questionnaire = "bench" }];
        var perCourse = answerCount / Courses;
        var firstNames = new[] { "Camille", "Léa", "Hugo", "Chloé", "Lucas", "Inès", "Jules", "Manon" };
        await Parallel.ForEachAsync(Enumerable.Range(1, Courses), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (course, ct) =>
        {
            var partition = StorageNames.Key(course);
            await courses.UpsertEntityAsync(new TableEntity("course", partition) { ["FullName"] = $"Formation {course:D2}", ["Visible"] = true }, TableUpdateMode.Replace, ct);
            var learners = perCourse * 6 / 5;
            await BatchAsync(snapshots, Enumerable.Range(1, learners).Select(l => new TableEntity(partition, StorageNames.Key(course * 10_000 + l))
            {
                ["Enrolments"] = "[]", ["Lang"] = "fr", ["TimeZone"] = "Europe/Paris", ["FirstName"] = firstNames[l % firstNames.Length], ["LastName"] = $"Nom{l}", ["Username"] = $"user{course}-{l}",
            }), ct);
            var sends = Enumerable.Range(1, learners).SelectMany(l => Sends(partition, course * 10_000 + l, l % 3)).ToList();
            await BatchAsync(ledger, sends, ct);
            // Counted for the report as the dispatcher counts them when they go out.
            foreach (var send in sends)
            {
                var parts = send.RowKey.Split('|');
                var key = new SendKey(course, StorageNames.ParseKey(parts[0]), parts[1], DateOnly.Parse(parts[2], CultureInfo.InvariantCulture), 0);
                var history = parts[1].EndsWith("reminder2", StringComparison.Ordinal) ? [new SendRecord(key with { Signal = QuestionnaireSignals.Reminder("hot", 1) }, SendState.Sent, default, null)] : Array.Empty<SendRecord>();
                if (CampaignTally.For(key, campaigns, history, send.GetDateTimeOffset("At")!.Value, TimeZoneInfo.Utc) is { } tally)
                {
                    await answerStore.CountSendAsync(key, tally, ct);
                }
            }
            var rows = new List<TableEntity>();
            lock (random)
            {
                for (var a = 0; a < perCourse; a++)
                {
                    var values = new Dictionary<string, string[]>();
                    for (var i = 1; i <= 10; i++)
                    {
                        values[$"s{i}"] = [random.Next(1, 6).ToString(CultureInfo.InvariantCulture)];
                    }
                    values["nps"] = [random.Next(0, 11).ToString(CultureInfo.InvariantCulture)];
                    values["pace"] = [Paces[random.Next(3)]];
                    values["mode"] = [Modes[random.Next(2)]];
                    values["topics"] = [.. Topics.Where(_ => random.Next(2) == 0)];
                    if (random.Next(5) == 0)
                    {
                        values["comment"] = [$"Formation utile, merci à {firstNames[random.Next(firstNames.Length)]} pour son suivi ; le module {random.Next(1, 9)} mériterait plus d'exemples pratiques et un peu plus de temps."];
                    }
                    var day = From.AddDays(random.Next(To.DayNumber - From.DayNumber + 1));
                    rows.Add(new TableEntity(partition, $"{day:yyyy-MM-dd}|{Guid.NewGuid():N}")
                    {
                        ["Campaign"] = "hot", ["Questionnaire"] = "bench", ["Lang"] = "fr", ["Test"] = false, ["Values"] = JsonSerializer.Serialize(values),
                    });
                }
            }
            await BatchAsync(answers, rows, ct);
        });
        return definition;
    }

    /// <summary>An invitation for each learner, and 0 to 2 reminders.</summary>
    private static IEnumerable<TableEntity> Sends(string partition, long learner, int reminders)
    {
        var at = new DateTimeOffset(2031, 1, 15, 9, 0, 0, TimeSpan.Zero);
        yield return new TableEntity(partition, $"{StorageNames.Key(learner)}|questionnaire:hot|2031-01-15|0") { ["State"] = "Sent", ["At"] = at };
        for (var r = 1; r <= reminders; r++)
        {
            yield return new TableEntity(partition, $"{StorageNames.Key(learner)}|questionnaire:hot:reminder{r}|2031-01-15|0") { ["State"] = "Sent", ["At"] = at.AddDays(7 * r) };
        }
    }

    private static async Task BatchAsync(TableClient table, IEnumerable<TableEntity> rows, CancellationToken cancellationToken)
    {
        foreach (var chunk in rows.Chunk(100))
        {
            await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), cancellationToken);
        }
    }
}
