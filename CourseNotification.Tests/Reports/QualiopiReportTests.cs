using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CourseNotification.Tests.Cli;
using CourseNotification.Questionnaires;
using CourseNotification.Reports;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;
using UglyToad.PdfPig;

namespace CourseNotification.Tests.Reports;

/// <summary>
/// The Qualiopi report over a small fixed data set whose figures are computed by hand: two courses, this
/// period and the one before, a test answer and an answer after the period (both left out), a single
/// respondent at 0 %, a previous period at 100 %, a question nobody answered, a comment naming people.
/// The PDF's text is read back (PdfPig) and each page rendered (pdftoppm) and checked not blank.
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed class QualiopiReportTests
{
    private static readonly DateOnly From = new(2031, 3, 1), To = new(2031, 3, 31);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task The_figures_match_the_hand_computed_ones()
    {
        await using var host = await LocalHost.StartAsync();
        var data = await FixedDataAsync(host);
        var report = await host.App.Services.GetRequiredService<QualiopiAggregator>().BuildAsync(data.Scope, null, TestContext.CancellationToken);

        Assert.AreEqual(new Participation(6, 2, 4), report.Participation);
        Assert.AreEqual(4.0 / 6, report.Participation.ResponseRate!.Value, 1e-9);
        Assert.AreEqual(new Headline(0.5, 3.5, 25), report.Headline);
        Assert.AreEqual(new Participation(1, 0, 1), report.PreviousParticipation);
        Assert.AreEqual(new Headline(1, 5, 100), report.PreviousHeadline);

        var clarity = report.Questions.Single(q => q.Id == "clarity");
        Assert.AreEqual((4, 3.5, 0.5), (clarity.Count, clarity.Mean, clarity.Satisfied));
        CollectionAssert.AreEqual(new[] { 0, 1, 1, 1, 1 }, clarity.Distribution.Select(b => b.Count).ToArray());
        var recommend = report.Questions.Single(q => q.Id == "recommend");
        Assert.AreEqual((4, 7.25, (double?)25), (recommend.Count, recommend.Mean, recommend.Nps));
        var choice = report.Questions.Single(q => q.Id == "format");
        CollectionAssert.AreEqual(new[] { ("a", 2), ("b", 1) }, choice.Distribution.Select(b => (b.Value, b.Count)).ToArray());
        var nobody = report.Questions.Single(q => q.Id == "nobody");
        Assert.AreEqual((0, (double?)null, (double?)null), (nobody.Count, nobody.Mean, nobody.Satisfied));

        CollectionAssert.AreEqual(new[] { "Beta", "Alpha" }, report.Breakdown.Select(c => c.Name).ToArray(), "least satisfied course first");
        var beta = report.Breakdown[0];
        Assert.AreEqual((1, 2, 0.5, 0.0), (beta.Participation.Answered, beta.Participation.Invited, beta.Participation.ResponseRate, beta.Headline.SatisfactionRate), "a single respondent at 0 %");
        var alpha = report.Breakdown[1];
        Assert.AreEqual((3, 4, 0.75), (alpha.Participation.Answered, alpha.Participation.Invited, alpha.Participation.ResponseRate));
        Assert.AreEqual(2.0 / 3, alpha.Headline.SatisfactionRate!.Value, 1e-9);
        CollectionAssert.AreEqual(new[] { "clarity", "nobody" }, alpha.Questions.Select(q => q.Id).ToArray(), "worst first, the unanswered one last");

        var comment = report.Comments.Single();
        Assert.AreEqual("Très bien, merci à l'équipe ! Écrivez-moi à […] ou au […].", comment.Text);
        Assert.AreEqual(("Alpha", new DateOnly(2031, 3, 10)), (comment.Course, comment.Day));
    }

    [TestMethod]
    public async Task The_pdf_has_every_section_and_figure_as_text_in_embedded_fonts_and_no_blank_page()
    {
        await using var host = await LocalHost.StartAsync();
        var data = await FixedDataAsync(host);
        var response = await host.Http.GetAsync($"api/reports/qualiopi?courses={data.Alpha},{data.Beta}&from=2031-03-01&to=2031-03-31&questionnaire={data.Questionnaire}", TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
        Assert.AreEqual("application/pdf", response.Content.Headers.ContentType!.MediaType);
        var pdf = await response.Content.ReadAsByteArrayAsync(TestContext.CancellationToken);
        var path = Artefact("qualiopi-fr.pdf");
        await File.WriteAllBytesAsync(path, pdf, TestContext.CancellationToken);

        using var document = PdfDocument.Open(pdf);
        var pages = document.GetPages().Select(p => string.Join(' ', p.GetWords().Select(w => w.Text))).ToList();
        var all = Normalise(string.Join('\n', pages));
        foreach (var expected in new[]
        {
            "Organisme de test", "Rapport Qualiopi – évaluation à chaud", "Questionnaire : Avis rapide",
            "1. Participation", "Apprenants invités 6 1", "Apprenants relancés 2 0", "Réponses reçues 4 1", "Taux de réponse 67 % 100 % -33 pts",
            "2. Indicateurs clés", "Taux de satisfaction global 50 % 100 % -50 pts", "Note moyenne 3,5 / 5 5,0 / 5 -1,5", "NPS +25 +100",
            "3. Résultats par question", "Q1. Le contenu était clair.", "4 réponses · moyenne 3,5 / 5 · satisfaits (4-5) 50 %", "NPS +25", "0 réponse",
            "4. Détail par formation", "5. Commentaires libres", "Très bien, merci à l'équipe ! Écrivez-moi à […] ou au […].",
            "Période du 1 mars 2031 au 31 mars 2031",
        })
        {
            StringAssert.Contains(all, expected, $"in the PDF's text:\n{all}");
        }
        Assert.IsTrue(all.IndexOf("Beta", all.IndexOf("4. Détail", StringComparison.Ordinal), StringComparison.Ordinal)
            < all.IndexOf("Alpha", all.IndexOf("4. Détail", StringComparison.Ordinal), StringComparison.Ordinal), "least satisfied course first");
        foreach (var leaked in new[] { "julie.martin@", "06 12" })
        {
            Assert.IsFalse(all.Contains(leaked, StringComparison.Ordinal), $"'{leaked}' must not reach the report");
        }
        for (var i = 0; i < pages.Count; i++)
        {
            StringAssert.Contains(Normalise(pages[i]), $"page {i + 1} / {pages.Count}");
        }
        var fonts = document.GetPages().SelectMany(p => p.Letters).Select(l => l.FontName ?? "").Distinct().ToList();
        Assert.IsTrue(fonts.All(f => f.Contains("DejaVu", StringComparison.Ordinal)), "only the shipped fonts: " + string.Join(", ", fonts));
        Assert.AreEqual(0, document.GetPages().Sum(p => p.GetImages().Count()), "charts are vector shapes and text, not pictures");
        Assert.AreEqual((595, 842), ((int)Math.Round(document.GetPage(1).Width), (int)Math.Round(document.GetPage(1).Height)), "A4");

        var images = await RenderAsync(path, pages.Count);
        foreach (var image in images)
        {
            using var bitmap = SKBitmap.Decode(image);
            var ink = 0;
            for (var y = 0; y < bitmap.Height; y += 2)
            {
                for (var x = 0; x < bitmap.Width; x += 2)
                {
                    var pixel = bitmap.GetPixel(x, y);
                    ink += pixel.Red + pixel.Green + pixel.Blue < 600 ? 1 : 0;
                }
            }
            Assert.IsTrue(ink > 200, $"{Path.GetFileName(image)} looks blank ({ink} dark samples)");
        }
    }

    [TestMethod]
    public async Task An_empty_period_gives_zeros_and_dashes_and_the_same_figures_come_as_json_and_csv()
    {
        await using var host = await LocalHost.StartAsync();
        var data = await FixedDataAsync(host);
        var query = $"courses={data.Alpha}&from=2030-01-01&to=2030-01-31&questionnaire={data.Questionnaire}&lang=en";
        var json = await host.Http.GetFromJsonAsync<JsonObject>($"api/reports/qualiopi?{query}&format=json", TestContext.CancellationToken);
        Assert.AreEqual(0, (int)json!["participation"]!["invited"]!);
        Assert.IsNull(json["participation"]!["responseRate"]);
        Assert.IsNull(json["headline"]!["satisfactionRate"]);
        var pdf = await host.Http.GetByteArrayAsync($"api/reports/qualiopi?{query}", TestContext.CancellationToken);
        using var document = PdfDocument.Open(pdf);
        var text = Normalise(string.Join('\n', document.GetPages().Select(p => string.Join(' ', p.GetWords().Select(w => w.Text)))));
        StringAssert.Contains(text, "Response rate – –");
        StringAssert.Contains(text, "No comment in the period.");

        var csv = await host.Http.GetStringAsync($"api/reports/qualiopi?courses={data.Alpha},{data.Beta}&from=2031-03-01&to=2031-03-31&questionnaire={data.Questionnaire}&format=csv", TestContext.CancellationToken);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.AreEqual("section,course_id,course,question,metric,value", lines[0]);
        CollectionAssert.IsSubsetOf(new[] { "period,,,,invited,6", "period,,,,response_rate,0.6667", "period,,,,nps,25", "question,,,clarity,answers:1,0", $"course,{data.Beta},Beta,,satisfaction_rate,0" }, lines);
    }

    [TestMethod]
    public async Task Wrong_parameters_are_refused_by_name()
    {
        await using var host = await LocalHost.StartAsync();
        foreach (var (query, field, status) in new[]
        {
            ("format=doc", "format", 400), ("lang=de", "lang", 400), ("from=2031-13-01", "from", 400), ("to=yesterday", "to", 400),
            ("from=2031-04-01&to=2031-03-01", "from", 400), ("courses=x,1", "courses", 400), ($"courses={long.MaxValue - 7}", "courses", 404), ("questionnaire=nope", "questionnaire", 404),
        })
        {
            var response = await host.Http.GetAsync($"api/reports/qualiopi?{query}", TestContext.CancellationToken);
            Assert.AreEqual(status, (int)response.StatusCode, query);
            Assert.AreEqual(field, (string)(await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.CancellationToken))!["field"]!, query);
        }
    }

    [TestMethod]
    public async Task A_campaign_named_without_courses_reports_the_questionnaire_it_asks()
    {
        await using var host = await LocalHost.StartAsync();
        var course = TestIds.Next();
        var campaign = $"cold{course}";
        (await host.Http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Froid", ["startDate"] = "2031-01-06T00:00:00+01:00" }),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        (await host.Http.PutAsJsonAsync($"api/courses/{course}/settings", new JsonObject
        {
            ["campaigns"] = new JsonArray(new JsonObject { ["id"] = campaign, ["questionnaire"] = QuestionnaireCatalog.Cold, ["trigger"] = "accessEnd", ["delayDays"] = 7 }),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();

        var json = (await host.Http.GetFromJsonAsync<JsonObject>($"api/reports/qualiopi?campaign={campaign}&format=json", TestContext.CancellationToken))!;
        Assert.AreEqual(QuestionnaireCatalog.Cold, (string?)json["scope"]!["questionnaire"], "the cold campaign's questionnaire, not the hot one");

        var unknown = await host.Http.GetAsync("api/reports/qualiopi?campaign=nobody-has-it&format=json", TestContext.CancellationToken);
        Assert.AreEqual(404, (int)unknown.StatusCode);
        Assert.AreEqual("campaign", (string?)(await unknown.Content.ReadFromJsonAsync<JsonObject>(TestContext.CancellationToken))!["field"]);
    }

    [TestMethod]
    public async Task Cn_report_writes_the_same_report_to_a_file_and_refuses_a_wrong_parameter_by_name()
    {
        await using var host = await LocalHost.StartAsync();
        var data = await FixedDataAsync(host);
        var storage = "AzureWebJobsStorage=" + host.Configuration["AzureWebJobsStorage"];
        var csv = Path.Combine(Path.GetTempPath(), $"report-{data.Alpha}.csv");
        var exit = await InProcessCli.RunAsync(
            ["report", "--out", csv, "--courses", $"{data.Alpha},{data.Beta}", "--from", "2031-03-01", "--to", "2031-03-31", "--questionnaire", data.Questionnaire, storage]);
        Assert.AreEqual(0, exit);
        var lines = await File.ReadAllLinesAsync(csv, TestContext.CancellationToken);
        CollectionAssert.Contains(lines, "period,,,,answered,4");
        CollectionAssert.Contains(lines, "period,,,,reminded,2");
        File.Delete(csv);

        var refused = await InProcessCli.RunAsync(["report", "--out", csv, "--from", "2031-02-30", storage]);
        Assert.AreEqual(2, refused);
        Assert.IsFalse(File.Exists(csv), "nothing written");
    }

    private sealed record FixedData(ReportScope Scope, long Alpha, long Beta, string Questionnaire);

    /// <summary>Two courses, a small questionnaire, answers and sends in this period and the one before.</summary>
    private async Task<FixedData> FixedDataAsync(LocalHost host)
    {
        var services = host.App.Services;
        var (alpha, beta) = (TestIds.Next(), TestIds.Next());
        var id = $"quick-{alpha}";
        Dictionary<string, string> Both(string fr, string en) => new() { ["fr"] = fr, ["en"] = en };
        await services.GetRequiredService<QuestionnaireCatalog>().SaveAsync(new QuestionnaireDefinition(id, Both("Avis rapide", "Quick opinion"),
        [
            new Question("clarity", QuestionType.Scale5, Both("Le contenu était clair.", "The content was clear."), Required: true),
            new Question("recommend", QuestionType.Nps, Both("Recommanderiez-vous la formation ?", "Would you recommend the course?")),
            new Question("format", QuestionType.SingleChoice, Both("Format préféré", "Preferred format"), Choices: [new Choice("a", Both("Distanciel", "Online")), new Choice("b", Both("Présentiel", "On site"))]),
            new Question("comment", QuestionType.Text, Both("Un commentaire ?", "A comment?")),
            new Question("nobody", QuestionType.Scale5, Both("Question que personne n'a notée.", "A question nobody scored.")),
        ]), TestContext.CancellationToken);

        (await host.Http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = alpha, ["fullName"] = "Alpha" }, new JsonObject { ["id"] = beta, ["fullName"] = "Beta" }),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();

        var answers = services.GetRequiredService<AnswerStore>();
        async Task Answer(long course, DateOnly day, string clarity, string? recommend = null, string? format = null, string? comment = null, bool test = false)
        {
            var values = new Dictionary<string, IReadOnlyList<string>> { ["clarity"] = [clarity] };
            if (recommend is not null) { values["recommend"] = [recommend]; }
            if (format is not null) { values["format"] = [format]; }
            if (comment is not null) { values["comment"] = [comment]; }
            await answers.AddAsync(new StoredAnswer(course, "hot", id, "fr", day, test, null, values), TestContext.CancellationToken);
        }
        await Answer(alpha, new(2031, 3, 10), "5", "10", "a", "Très bien, merci à l'équipe ! Écrivez-moi à julie.martin@example.org ou au 06 12 34 56 78.");
        await Answer(alpha, new(2031, 3, 11), "4", "7", "b");
        await Answer(alpha, new(2031, 3, 31), "2", "3", "a");
        await Answer(alpha, new(2031, 3, 12), "1", "0", test: true);
        await Answer(alpha, new(2031, 4, 1), "1", "0");
        await Answer(alpha, new(2031, 2, 20), "5", "10");
        await Answer(beta, new(2031, 3, 5), "3", "9");

        var ledger = services.GetRequiredService<LedgerStore>();
        Campaign[] campaigns = [new() { Id = "hot", Questionnaire = id }];
        // Each send as the dispatcher records it: claimed, counted for its campaign, marked sent, at 10:00 Paris.
        async Task Sent(long course, long learner, string signal, DateOnly day)
        {
            var key = new CourseNotification.Signals.SendKey(course, learner, signal, new DateOnly(2031, 1, 1), 0);
            var at = new DateTimeOffset(day.ToDateTime(new TimeOnly(10, 0)), TimeSpan.FromHours(1));
            var history = await ledger.ReadLearnerAsync(course, learner, TestContext.CancellationToken);
            var claim = await ledger.TryClaimAsync(key, at, TimeSpan.FromMinutes(2), TestContext.CancellationToken);
            if (CampaignTally.For(key, campaigns, history, at, TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris")) is { } tally)
            {
                await answers.CountSendAsync(key, tally, TestContext.CancellationToken);
            }
            await ledger.MarkSentSurelyAsync(key, claim.ETag, at, "<id@example.org>");
        }
        for (var learner = 1; learner <= 4; learner++)
        {
            await Sent(alpha, learner, "questionnaire:hot", new(2031, 3, learner + 1));
        }
        await Sent(alpha, 1, "questionnaire:hot:reminder1", new(2031, 3, 9));
        await Sent(alpha, 1, "questionnaire:hot:reminder2", new(2031, 3, 16));
        await Sent(alpha, 2, "questionnaire:hot:reminder1", new(2031, 3, 10));
        await Sent(alpha, 5, "questionnaire:hot", new(2031, 2, 15));
        await Sent(alpha, 6, "welcome", new(2031, 3, 15));
        await Sent(beta, 1, "questionnaire:hot", new(2031, 3, 1));
        await Sent(beta, 2, "questionnaire:hot", new(2031, 3, 2));
        return new FixedData(new ReportScope([alpha, beta], From, To, id, null, "fr"), alpha, beta, id);
    }

    /// <summary>Each page as a PNG at 60 dpi, by pdftoppm; the paths, saved as test artefacts.</summary>
    private async Task<IReadOnlyList<string>> RenderAsync(string pdf, int pageCount)
    {
        var prefix = Path.Combine(Path.GetDirectoryName(pdf)!, Path.GetFileNameWithoutExtension(pdf));
        using var process = Process.Start(new ProcessStartInfo("pdftoppm", ["-png", "-r", "60", pdf, prefix]) { RedirectStandardError = true })!;
        await process.WaitForExitAsync(TestContext.CancellationToken);
        Assert.AreEqual(0, process.ExitCode, await process.StandardError.ReadToEndAsync(TestContext.CancellationToken));
        var images = Directory.GetFiles(Path.GetDirectoryName(pdf)!, Path.GetFileName(prefix) + "-*.png").Order().ToList();
        Assert.AreEqual(pageCount, images.Count);
        images.ForEach(TestContext.AddResultFile);
        return images;
    }

    private string Artefact(string name)
    {
        var folder = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "TestResults", "reports"));
        Directory.CreateDirectory(folder);
        foreach (var old in Directory.GetFiles(folder, Path.GetFileNameWithoutExtension(name) + "*"))
        {
            File.Delete(old);
        }
        var path = Path.Combine(folder, name);
        TestContext.AddResultFile(path);
        return path;
    }

    /// <summary>Words as PdfPig gives them, with the narrow no-break space of French figures as a plain space.</summary>
    private static string Normalise(string text) => text.Replace('\u202F', ' ').Replace('\u00A0', ' ');
}
