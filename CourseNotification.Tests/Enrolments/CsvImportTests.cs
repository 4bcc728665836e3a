using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CourseNotification.Tests.Cli;
using CourseNotification.Enrolments;
using CourseNotification.Http;
using CourseNotification.Storage;
using CourseNotification.Scanning;
using CourseNotification.Tests.Integration;
using CourseNotification.Tests.Moodle;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CourseNotification.Tests.Enrolments;

/// <summary>The CSV a Moodle custom report exports, French or English headers, through <c>cn import</c> and the snapshot rules.</summary>
[TestClass]
[TestCategory("storage")]
public sealed class CsvImportTests
{
    public TestContext TestContext { get; set; } = null!;

    private const string EnglishHeader = "Course ID;Course full name;User ID;First name;Last name;Email address;Time started;Time ended;Status;Last access to course;Enrolment method";
    [TestMethod]
    public async Task A_French_report_export_fills_dates_access_and_completion_and_names_bad_lines()
    {
        var (course, a, b) = (TestIds.Next(), TestIds.Next(), TestIds.Next());
        var csv = $"""
            Cours : ID du cours;Cours : Nom complet du cours;Utilisateur : ID utilisateur;Utilisateur : Prénom;Utilisateur : Nom de famille;Utilisateur : Adresse de courriel;Utilisateur : Langue préférée;Inscription : Date de début;Inscription : Date de fin;Inscription : Statut;Accès au cours : Dernier accès;Achèvement du cours : Date d'achèvement;Inscription : Méthode d'inscription
            {course};"Sécurité ; incendie";{a};Zoé;Martin;zoe{a}@example.fr;Français ‎(fr)‎;lundi 5 janvier 2026, 09:00;vendredi 6 mars 2026, 00:00;Actif;Jamais;;Inscription manuelle
            {course};"Sécurité ; incendie";{b};Ana;Silva;ana{b}@example.fr;English ‎(en)‎;2026-01-05;2026-03-06T00:00:00+01:00;Suspendu;1767700800;1770000000;Auto-inscription
            {course};"Sécurité ; incendie";abc;X;Y;x@example.fr;fr;;;Actif;;;
            {course};"Sécurité ; incendie";{TestIds.Next()};X;Y;x@example.fr;fr;le 5 du mois;;Actif;;;
            """;
        var path = Path.Combine(Path.GetTempPath(), $"participants-{course}.csv");
        await File.WriteAllTextAsync(path, "\uFEFF" + csv.Replace("\n", "\r\n", StringComparison.Ordinal));
        var configuration = await SharedServices.ConfigurationAsync();

        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        int exit;
        try
        {
            exit = await InProcessCli.RunAsync(["import", path, $"AzureWebJobsStorage={configuration["AzureWebJobsStorage"]}"]);
        }
        finally
        {
            Console.SetOut(original);
        }

        Assert.AreEqual(1, exit, "some lines were refused");
        StringAssert.Contains(output.ToString(), "4 rows: courses 1 created, 0 updated, 0 rejected; learners 2 created, 0 updated, 0 rejected; enrolments 2 created, 0 updated, 0 rejected.");
        StringAssert.Contains(output.ToString(), "line 4: learnerId: 'abc' is not an id");
        StringAssert.Contains(output.ToString(), "line 5: start: 'le 5 du mois' is not a date");

        await using var core = await CoreServices.StartAsync();
        Assert.AreEqual("Sécurité ; incendie", (await core.Get<CourseStore>().GetAsync(course, CancellationToken.None))!.FullName);
        var zoe = (await core.Get<SnapshotStore>().GetAsync(course, a, CancellationToken.None))!;
        var paris = TimeSpan.FromHours(1);
        Assert.AreEqual(new DateTimeOffset(2026, 1, 5, 9, 0, 0, paris), zoe.Enrolments.Single().Start, "Moodle's French long date, in the site's zone");
        Assert.AreEqual(new DateTimeOffset(2026, 3, 6, 0, 0, 0, paris), zoe.Enrolments.Single().End);
        Assert.IsTrue(zoe.Enrolments.Single().IsActive);
        Assert.IsNull(zoe.LastAccess, "Jamais");
        Assert.AreEqual(("fr", $"zoe{a}@example.fr"), ((await core.Get<LearnerStore>().GetAsync(a, CancellationToken.None))!.Lang, (await core.Get<LearnerStore>().GetAsync(a, CancellationToken.None))!.Email));
        var ana = (await core.Get<SnapshotStore>().GetAsync(course, b, CancellationToken.None))!;
        Assert.IsFalse(ana.Enrolments.Single().IsActive);
        Assert.AreEqual(new DateTimeOffset(2026, 1, 5, 0, 0, 0, paris), ana.Enrolments.Single().Start, "an ISO date without time is midnight at the site");
        Assert.AreEqual((DateTimeOffset.FromUnixTimeSeconds(1767700800), DateTimeOffset.FromUnixTimeSeconds(1770000000)), (ana.LastAccess!.Value, ana.CompletedAt!.Value));
        Assert.AreEqual("en", (await core.Get<LearnerStore>().GetAsync(b, CancellationToken.None))!.Lang);
        Assert.AreNotEqual(zoe.Enrolments.Single().Id, ana.Enrolments.Single().Id, "one enrolment id per method");
        Assert.IsTrue(zoe.Enrolments.Single().Id < 0, "never a real Moodle id");
    }

    [TestMethod]
    public async Task English_headers_comma_separated_import_the_same_way_and_a_file_without_ids_is_refused()
    {
        var (course, learner) = (TestIds.Next(), TestIds.Next());
        var csv = $"Course ID,Course full name,User ID,Email address,First name,Last name,Time started,Time ended,Status,Last access to course\n{course},Fire safety,{learner},e{learner}@example.org,Eve,Stone,\"Monday, 5 January 2026, 9:00 AM\",,Active,Never\n";
        await using var core = await CoreServices.StartAsync();
        var report = await core.Get<CsvImport>().ImportAsync(new StringReader(csv), null, CancellationToken.None);
        Assert.AreEqual((1, 0), (report.Enrolments.Created, report.Rejected.Count));
        var snapshot = (await core.Get<SnapshotStore>().GetAsync(course, learner, CancellationToken.None))!;
        Assert.AreEqual(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.FromHours(1)), snapshot.Enrolments.Single().Start);

        var refused = await Assert.ThrowsExactlyAsync<FormatException>(() => core.Get<CsvImport>().ImportAsync(new StringReader("Name,Email\nx,y\n"), null, CancellationToken.None));
        StringAssert.Contains(refused.Message, "the file's headings are \"Name\", \"Email\"");
        StringAssert.Contains(refused.Message, "it needs a column for a course: \"Course short name\", \"Course full name\" or \"Course ID\"");
    }

    [TestMethod]
    public async Task A_quote_inside_a_name_is_kept_and_the_lines_after_it_are_imported()
    {
        var (course, a, b, c) = (TestIds.Next(), TestIds.Next(), TestIds.Next(), TestIds.Next());
        var csv = $"""
            {EnglishHeader}
            {course};Fire safety;{a};Sean;O"Brien;sean{a}@example.org;2026-01-05;;Active;;Manual enrolments
            {course};Fire safety;{b};Ana;Silva;ana{b}@example.org;2026-01-06;;Active;;Manual enrolments
            {course};Fire safety;{c};Zoé;Martin;zoe{c}@example.org;2026-01-07;;Active;;Manual enrolments
            """;
        await using var core = await CoreServices.StartAsync();

        var report = await core.Get<CsvImport>().ImportAsync(new StringReader(csv), null, TestContext.CancellationToken);

        Assert.AreEqual((3, 3, 0), (report.Rows, report.Enrolments.Created, report.RejectedTotal));
        Assert.AreEqual("O\"Brien", (await core.Get<LearnerStore>().GetAsync(a, TestContext.CancellationToken))!.LastName);
        Assert.AreEqual("Martin", (await core.Get<LearnerStore>().GetAsync(c, TestContext.CancellationToken))!.LastName);
        Assert.IsNotNull(await core.Get<SnapshotStore>().GetAsync(course, b, TestContext.CancellationToken));
    }

    [TestMethod]
    public async Task An_unterminated_quote_refuses_its_line_with_its_number_and_the_others_are_imported()
    {
        var (course, a, b, c) = (TestIds.Next(), TestIds.Next(), TestIds.Next(), TestIds.Next());
        var csv = $"""
            {EnglishHeader}
            {course};Fire safety;{a};Sean;Ryan;sean{a}@example.org;2026-01-05;;Active;;Manual enrolments
            {course};Fire safety;{b};Ana;"Silva;ana{b}@example.org;2026-01-06;;Active;;Manual enrolments
            {course};Fire safety;{c};Zoé;Martin;zoe{c}@example.org;2026-01-07;;Active;;Manual enrolments
            """;
        await using var core = await CoreServices.StartAsync();

        var report = await core.Get<CsvImport>().ImportAsync(new StringReader(csv), null, TestContext.CancellationToken);

        var refusal = report.Rejected.Single();
        Assert.AreEqual((3, "lastName"), (refusal.Line, refusal.Field));
        StringAssert.Contains(refusal.Reason, "begins on line 3 is never closed");
        Assert.AreEqual((3, 2), (report.Rows, report.Enrolments.Created));
        Assert.IsNull(await core.Get<SnapshotStore>().GetAsync(course, b, TestContext.CancellationToken));
        Assert.IsNotNull(await core.Get<SnapshotStore>().GetAsync(course, c, TestContext.CancellationToken), "the line after the refused one");
    }

    [TestMethod]
    public async Task Five_thousand_bad_lines_answer_the_first_100_refusals_and_the_count_over_http()
    {
        var course = TestIds.Next();
        var csv = new StringBuilder(EnglishHeader).Append('\n');
        for (var i = 0; i < 5_000; i++)
        {
            csv.Append(course).Append(";Fire safety;x").Append(i).Append(";A;B;a@example.org;;;Active;;Manual\n");
        }
        await using var host = await LocalHost.StartAsync();

        using var response = await host.Http.PostAsync("api/import/csv", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"), TestContext.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, body);
        using var json = JsonDocument.Parse(body);
        var rejected = json.RootElement.GetProperty("rejected");
        Assert.AreEqual(CsvImport.MaxListedRejections, rejected.GetArrayLength());
        Assert.AreEqual((2, "learnerId"), (rejected[0].GetProperty("line").GetInt32(), rejected[0].GetProperty("field").GetString()));
        Assert.AreEqual(101, rejected[99].GetProperty("line").GetInt32());
        Assert.AreEqual((5_000, 4_900), (json.RootElement.GetProperty("rejectedTotal").GetInt32(), json.RootElement.GetProperty("rejectedNotListed").GetInt32()));
        Assert.IsLessThan(20_000, body.Length, "the answer stays small however many lines are refused");
    }

    [TestMethod]
    public async Task A_chunked_body_over_16_MB_is_refused_with_413_and_nothing_is_written()
    {
        var (course, learner) = (TestIds.Next(), TestIds.Next());
        // Good rows first, then blank lines past the limit: without a length, only counting while reading can tell.
        var head = Encoding.UTF8.GetBytes($"{EnglishHeader}\n{course};Fire safety;{learner};A;B;a{learner}@example.org;2026-01-05;;Active;;Manual\n");
        var padding = new byte[ApiEndpoints.MaxSnapshotBytes];
        Array.Fill(padding, (byte)'\n');
        await using var host = await LocalHost.StartAsync();
        using var content = new StreamContent(new UnseekableStream(new MemoryStream([.. head, .. padding])));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");

        using var response = await host.Http.PostAsync("api/import/csv", content, TestContext.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);

        Assert.IsNull(response.RequestMessage!.Content!.Headers.ContentLength, "sent chunked");
        Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, response.StatusCode, body);
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.AreEqual("body", JsonDocument.Parse(body).RootElement.GetProperty("field").GetString());
        await using var core = await CoreServices.StartAsync();
        Assert.IsNull(await core.Get<CourseStore>().GetAsync(course, TestContext.CancellationToken));
        Assert.IsNull(await core.Get<SnapshotStore>().GetAsync(course, learner, TestContext.CancellationToken));

        // The same rows without the padding, chunked too, are imported.
        using var small = new StreamContent(new UnseekableStream(new MemoryStream(head)));
        small.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        using var accepted = await host.Http.PostAsync("api/import/csv", small, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, accepted.StatusCode);
        Assert.IsNotNull(await core.Get<SnapshotStore>().GetAsync(course, learner, TestContext.CancellationToken));
    }

    [TestMethod]
    public async Task Dates_past_the_year_9999_refuse_their_line_naming_the_column_instead_of_failing()
    {
        var (course, a, b, c) = (TestIds.Next(), TestIds.Next(), TestIds.Next(), TestIds.Next());
        var csv = $"""
            {EnglishHeader}
            {course};Fire safety;{a};A;B;a{a}@example.org;2026-01-05;253402300800;Active;;Manual
            {course};Fire safety;{b};A;B;b{b}@example.org;0001-01-01;;Active;;Manual
            {course};Fire safety;{c};A;B;c{c}@example.org;2026-01-05;;Active;99999999999999999999999;Manual
            """;
        await using var host = await LocalHost.StartAsync();

        using var response = await host.Http.PostAsync("api/import/csv", new StringContent(csv, Encoding.UTF8, "text/csv"), TestContext.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, body);
        var refused = JsonSerializer.Deserialize<CsvImportReport>(body, JsonSerializerOptions.Web)!.Rejected;
        CollectionAssert.AreEqual(
            new[] { (2, "end"), (3, "start"), (4, "lastAccess") },
            refused.Select(r => (r.Line, r.Field)).ToArray(), body);
        StringAssert.Contains(refused[0].Reason, "out of range");
    }

    [TestMethod]
    public async Task Three_thousand_lines_land_exactly_and_again_as_updates()
    {
        // Three courses sharing learners (each learner in two), as a report of several courses lists them.
        var courses = new[] { TestIds.Next(), TestIds.Next(), TestIds.Next() };
        var learners = Enumerable.Range(0, 1_500).Select(_ => TestIds.Next()).ToArray();
        var csv = new StringBuilder(EnglishHeader).Append('\n');
        var rows = new List<(long Course, long Learner)>();
        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < 1_000; i++)
            {
                var learner = learners[(c * 500 + i) % learners.Length];
                rows.Add((courses[c], learner));
                csv.Append(CultureInfo.InvariantCulture, $"{courses[c]};Course {c};{learner};First{learner};Last{learner};l{learner}@example.org;2026-01-{1 + i % 28:00};;{(i % 10 == 0 ? "Suspended" : "Active")};{1767700800 + i};Manual enrolments\n");
            }
        }
        await using var core = await CoreServices.StartAsync();
        var import = core.Get<CsvImport>();

        var first = await import.ImportAsync(new StringReader(csv.ToString()), null, TestContext.CancellationToken);
        var again = await import.ImportAsync(new StringReader(csv.ToString()), null, TestContext.CancellationToken);

        Assert.AreEqual(3_000, first.Rows);
        Assert.AreEqual(new UpsertCounts(3, 0, 0), first.Courses);
        Assert.AreEqual(new UpsertCounts(1_500, 0, 0), first.Learners);
        Assert.AreEqual(new UpsertCounts(3_000, 0, 0), first.Enrolments);
        Assert.AreEqual(0, first.RejectedTotal);
        Assert.AreEqual((new UpsertCounts(0, 3, 0), new UpsertCounts(0, 1_500, 0), new UpsertCounts(0, 3_000, 0)), (again.Courses, again.Learners, again.Enrolments));

        var store = core.Get<SnapshotStore>();
        var paris = TimeSpan.FromHours(1);
        foreach (var index in new[] { 0, 1, 999, 1_000, 1_777, 2_999 })
        {
            var (course, learner) = rows[index];
            var snapshot = (await store.GetAsync(course, learner, TestContext.CancellationToken))!;
            var i = index % 1_000;
            var enrolment = snapshot.Enrolments.Single();
            Assert.AreEqual(new DateTimeOffset(2026, 1, 1 + i % 28, 0, 0, 0, paris), enrolment.Start, $"row {index}");
            Assert.AreEqual(i % 10 != 0, enrolment.IsActive, $"row {index}");
            Assert.AreEqual("Manual enrolments", enrolment.Method);
            Assert.AreEqual(DateTimeOffset.FromUnixTimeSeconds(1767700800 + i), snapshot.LastAccess);
            Assert.AreEqual($"Last{learner}", snapshot.Profile!.LastName, "the learner's profile copied in");
            Assert.AreEqual($"l{learner}@example.org", (await core.Get<LearnerStore>().GetAsync(learner, TestContext.CancellationToken))!.Email);
            CollectionAssert.Contains((await store.CoursesOfLearnerAsync(learner, TestContext.CancellationToken)).ToList(), course, "indexed");
        }
        Assert.AreEqual(1_000, await CountAsync(store, courses[1]));
    }

    /// <summary>A Moodle date shown to the minute: the report's precision.</summary>
    private static DateTimeOffset Minute(long unixSeconds) => DateTimeOffset.FromUnixTimeSeconds(unixSeconds - unixSeconds % 60);

    private static long Ue(RealSite site, string person, string field) => site.Enrolment(person)[field]!.GetValue<long>();

    /// <summary>The course and people as the sync or the plugin made them known: names only (no language, zone or status), some people by username, one by email.</summary>
    private async Task KnowTheSiteAsync(IServiceProvider services, RealSite site, params string[] byEmailOnly)
    {
        var report = await services.GetRequiredService<SnapshotIngest>().UpsertAsync(new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = site.Course, ["shortName"] = site.ShortName, ["fullName"] = site.FullName }),
            ["learners"] = new JsonArray([.. RealSite.People.Select(p => (JsonNode)(byEmailOnly.Contains(p)
                ? new JsonObject { ["id"] = site.Id(p), ["email"] = site.Email(p) }
                : new JsonObject { ["id"] = site.Id(p), ["username"] = site.Username(p) }))]),
        }, TestContext.CancellationToken);
        Assert.AreEqual(0, report.Rejected.Count);
    }

    [TestMethod]
    public async Task The_real_Course_participants_export_lands_on_the_right_people_courses_and_enrolments()
    {
        // Moodle/Real: the site's events first, then its "Course participants" report downloaded as CSV by the
        // administrator (time zone UTC): byte-order mark, "Français ‎(fr)‎", "Not current", "Never", no ids.
        var site = RealSite.New();
        var clock = new FakeTimeProvider(site.Now);
        await using var host = await LocalHost.StartAsync(clock);
        var services = host.App.Services;
        await KnowTheSiteAsync(services, site, byEmailOnly: "bob");
        foreach (var (_, data) in site.Events())
        {
            await services.GetRequiredService<MoodleEventIngest>().IngestAsync(data, Encoding.UTF8.GetBytes(data.ToJsonString()), new WebhookHeaders(null, null, null), TestContext.CancellationToken);
        }
        var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true).GetPreamble().Concat(Encoding.UTF8.GetBytes(site.Csv())).ToArray();
        Assert.AreEqual(0xEF, bytes[0], "sent with its byte-order mark");

        using var response = await host.Http.PostAsync("api/import/csv?timezone=UTC", new ByteArrayContent(bytes) { Headers = { ContentType = new("text/csv") } }, TestContext.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, body);
        var report = JsonSerializer.Deserialize<CsvImportReport>(body, JsonSerializerOptions.Web)!;
        Assert.AreEqual((7, 2, 0), (report.Rows, report.Skipped, report.RejectedTotal), body);
        Assert.AreEqual((new UpsertCounts(0, 1, 0), new UpsertCounts(0, 5, 0), new UpsertCounts(0, 5, 0)), (report.Courses, report.Learners, report.Enrolments), "nobody new: Moodle's own enrolments, updated");

        var store = services.GetRequiredService<SnapshotStore>();
        var learners = services.GetRequiredService<LearnerStore>();
        async Task<EnrolmentSnapshot> Of(string person) => (await store.GetAsync(site.Course, site.Id(person), TestContext.CancellationToken))!;
        foreach (var person in new[] { "alice", "bob", "chloe", "dave", "tess" })
        {
            var snapshot = await Of(person);
            var enrolment = snapshot.Enrolments.Single();
            Assert.AreEqual((Ue(site, person, "id"), "manual"), (enrolment.Id, enrolment.Method), $"{person}: the line lands on Moodle's enrolment, not a second one");
            var learner = (await learners.GetAsync(site.Id(person), TestContext.CancellationToken))!;
            Assert.AreEqual((site.Username(person), site.Email(person), site.Lang(person), site.TimeZone(person)), (learner.Username, learner.Email, learner.Lang, learner.TimeZone), person);
            Assert.AreEqual((site.Lang(person), site.TimeZone(person)), (snapshot.Profile!.Lang, snapshot.Profile.TimeZone), $"{person}'s snapshot has the new profile");
            if (person != "tess")
            {
                Assert.AreEqual(Minute(Ue(site, person, "timestart")), enrolment.Start, $"{person}'s start, to the minute");
                Assert.AreEqual(Ue(site, person, "timeend") is var end and > 0 ? Minute(end) : null, enrolment.End, $"{person}'s end");
            }
        }
        var course = (await services.GetRequiredService<CourseStore>().GetAsync(site.Course, TestContext.CancellationToken))!;
        var real = site.Scenario["course"]!;
        Assert.AreEqual((real["startdate"]!.GetValue<long>(), real["enddate"]!.GetValue<long>()), (course.StartDate!.Value.ToUnixTimeSeconds(), course.EndDate!.Value.ToUnixTimeSeconds()));

        var (alice, bob, chloe, dave, tess) = (await Of("alice"), await Of("bob"), await Of("chloe"), await Of("dave"), await Of("tess"));
        Assert.IsTrue(alice.Enrolments.Single().IsActive && bob.Enrolments.Single().IsActive);
        Assert.AreEqual(Minute(site.Scenario["completed"]!["timecompleted"]!.GetValue<long>()), alice.CompletedAt, "the first completion seen counts");
        Assert.AreEqual(DateTimeOffset.FromUnixTimeSeconds(site.Events().Last(e => e.Name.StartsWith(@"\mod_", StringComparison.Ordinal)).Data["timecreated"]!.GetValue<long>()), bob.LastAccess, "an older report never moves an access back");
        Assert.IsTrue(chloe.Enrolments.Single().IsActive, "Not current with a start to come: not suspended");
        Assert.IsFalse(dave.Enrolments.Single().IsActive, "Suspended");
        CollectionAssert.AreEqual(new[] { "editingteacher" }, tess.Roles!.ToArray(), "Teacher");
        CollectionAssert.AreEqual(new[] { "student" }, chloe.Roles!.ToArray(), "Student");
        Assert.IsNotNull((await Of("eve")).Enrolments.Single().RemovedAt, "eve left before the export: still gone");

        // What the scan decides from it: chloe is welcomed when her start comes; alice, who completed, never.
        var decisions = new Dictionary<long, IReadOnlyList<CourseNotification.Signals.Decision>>();
        await foreach (var learner in services.GetRequiredService<CourseDecisions>().EvaluateAsync(course, site.Now, TestContext.CancellationToken))
        {
            decisions[learner.Snapshot.LearnerId] = learner.Decisions;
        }
        CourseNotification.Signals.Decision Welcome(string person) => decisions[site.Id(person)].Single(d => d.Signal == CourseNotification.Signals.SignalKeys.Welcome);
        Assert.AreEqual((CourseNotification.Signals.DecisionState.Scheduled, new DateOnly(2026, 12, 2)), (Welcome("chloe").State, Welcome("chloe").Anchor), "her start, in Montreal");
        Assert.AreEqual((CourseNotification.Signals.DecisionState.NotApplicable, CourseNotification.Signals.Reasons.Completed), (Welcome("alice").State, Welcome("alice").Reason));
        foreach (var call in new[] { CourseNotification.Signals.SignalKeys.FirstCall, CourseNotification.Signals.SignalKeys.SecondCall })
        {
            Assert.AreEqual(CourseNotification.Signals.DecisionState.NotApplicable, decisions[site.Id("alice")].Single(d => d.Signal == call).State, call);
        }
    }

    [TestMethod]
    public async Task Without_ids_an_unknown_or_ambiguous_person_or_course_refuses_its_line_with_the_reason()
    {
        var site = RealSite.New();
        await using var core = await CoreServices.StartAsync(new FakeTimeProvider(site.Now));
        await KnowTheSiteAsync(core.Services, site);
        // bob was never made known; dave's username neither, and his email is shared by two accounts.
        var twin = TestIds.Next();
        await core.Get<SnapshotIngest>().UpsertAsync(new JsonObject
        {
            ["learners"] = new JsonArray(
                new JsonObject { ["id"] = site.Id("bob"), ["username"] = "" },
                new JsonObject { ["id"] = site.Id("dave"), ["username"] = "", ["email"] = site.Email("dave") },
                new JsonObject { ["id"] = twin, ["email"] = site.Email("dave") }),
        }, TestContext.CancellationToken);
        var lines = site.Csv().TrimEnd('\n').Split('\n').ToList();
        var elsewhere = lines[1].Replace(site.ShortName, $"HC-elsewhere-{site.Tag}", StringComparison.Ordinal);
        var csv = string.Join('\n', [.. lines, elsewhere]);

        var report = await core.Get<CsvImport>().ImportAsync(new StringReader(csv), "UTC", null, TestContext.CancellationToken);

        Assert.AreEqual((8, 2, 3), (report.Rows, report.Skipped, report.Enrolments.Created), "alice, chloe and tess are imported");
        CollectionAssert.AreEqual(
            new[] { (3, "username"), (5, "email"), (9, "courseShortName") },
            report.Rejected.Select(r => (r.Line, r.Field)).ToArray(), string.Join("\n", report.Rejected));
        StringAssert.Contains(report.Rejected[0].Reason, $"no learner with the username '{site.Username("bob")}' or the email '{site.Email("bob")}' is known here");
        StringAssert.Contains(report.Rejected[1].Reason, $"the email '{site.Email("dave")}' is shared by learners {Math.Min(site.Id("dave"), twin)}, {Math.Max(site.Id("dave"), twin)}");
        StringAssert.Contains(report.Rejected[2].Reason, $"no course with the short name 'HC-elsewhere-{site.Tag}' is known here");
        Assert.IsNull(await core.Get<SnapshotStore>().GetAsync(site.Course, site.Id("bob"), TestContext.CancellationToken));
        Assert.IsNull(await core.Get<SnapshotStore>().GetAsync(site.Course, twin, TestContext.CancellationToken));
    }

    [TestMethod]
    public async Task An_export_whose_id_number_columns_were_renamed_course_id_and_user_id_imports_nothing_under_those_ids()
    {
        var site = RealSite.New();
        await using var core = await CoreServices.StartAsync(new FakeTimeProvider(site.Now));
        await KnowTheSiteAsync(core.Services, site);
        var (courseIdNumber, userIdNumbers) = (TestIds.Next(), RealSite.People.ToDictionary(p => site.Username(p), _ => TestIds.Next()));
        string WithIds(long courseId, bool realUsers) => string.Join('\n', site.Csv().Split('\n').Select((line, i) =>
        {
            if (i == 0)
            {
                return "\uFEFF\"Course ID\",\"User ID\"," + line.TrimStart('\uFEFF');
            }
            var person = RealSite.People.FirstOrDefault(p => line.Contains($",{site.Username(p)},", StringComparison.Ordinal));
            var user = person is null ? "" : (realUsers ? site.Id(person) : userIdNumbers[site.Username(person)]).ToString(CultureInfo.InvariantCulture);
            return line.Length == 0 ? line : $"{courseId},{user},{line}";
        }));

        // The course's "Course ID number" renamed "Course ID": Moodle's short name says whose course it is.
        var wrongCourse = await core.Get<CsvImport>().ImportAsync(new StringReader(WithIds(courseIdNumber, realUsers: true)), "UTC", null, TestContext.CancellationToken);
        // The people's "ID number" renamed "User ID": their usernames say who they are.
        var wrongPeople = await core.Get<CsvImport>().ImportAsync(new StringReader(WithIds(site.Course, realUsers: false)), "UTC", null, TestContext.CancellationToken);

        Assert.AreEqual((5, 0), (wrongCourse.RejectedTotal, wrongCourse.Enrolments.Created + wrongCourse.Enrolments.Updated));
        Assert.IsTrue(wrongCourse.Rejected.All(r => r.Field == "courseId"), string.Join("\n", wrongCourse.Rejected));
        StringAssert.Contains(wrongCourse.Rejected[0].Reason, $"the course with the short name '{site.ShortName}' is course {site.Course} here, not {courseIdNumber}: is the column 'Course ID' Moodle's course id (and not an ID number)?");
        Assert.AreEqual((5, 0), (wrongPeople.RejectedTotal, wrongPeople.Enrolments.Created + wrongPeople.Enrolments.Updated));
        StringAssert.Contains(wrongPeople.Rejected[0].Reason, $"the username '{site.Username("alice")}' is learner {site.Id("alice")} here, not {userIdNumbers[site.Username("alice")]}");
        Assert.IsNull(await core.Get<CourseStore>().GetAsync(courseIdNumber, TestContext.CancellationToken), "no course made up from an ID number");
        Assert.IsNull(await core.Get<LearnerStore>().GetAsync(userIdNumbers[site.Username("alice")], TestContext.CancellationToken), "nobody made up from an ID number");

        // With Moodle's real ids the same file imports.
        var right = await core.Get<CsvImport>().ImportAsync(new StringReader(WithIds(site.Course, realUsers: true)), "UTC", null, TestContext.CancellationToken);
        Assert.AreEqual((0, 5), (right.RejectedTotal, right.Enrolments.Created));
    }

    [TestMethod]
    public async Task The_same_export_in_french_from_montreal_through_cn_import_reads_moodles_french_headings_and_dates()
    {
        // The real export as a French-speaking manager in Montreal downloads it: Moodle's French headings
        // (lang/fr), French long dates in her zone, "Pas à jour", "Inscriptions manuelles", "Étudiant".
        var site = RealSite.New();
        await using var core = await CoreServices.StartAsync(new FakeTimeProvider(site.Now));
        await KnowTheSiteAsync(core.Services, site);
        var montreal = TimeZoneInfo.FindSystemTimeZoneById("America/Montreal");
        var french = CultureInfo.GetCultureInfo("fr-FR");
        string Date(long unix) => unix == 0 ? "" : TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(unix), montreal).ToString("dddd d MMMM yyyy, HH:mm", french);
        string Line(string person, string status, string role, string method) =>
            $"{site.ShortName};{site.Username(person)};{site.Email(person)};Français \u200E(fr)\u200E;{site.TimeZone(person)};{method};{role};{status};{Date(Ue(site, person, "timestart"))};{Date(Ue(site, person, "timeend"))};Jamais";
        string File(string methodHeading, string method) => string.Join("\r\n",
            $"\uFEFFNom abrégé du cours;Nom d’utilisateur;Adresse de courriel;Langue;Fuseau horaire;{methodHeading};Rôle;Statut;Date de début;Date de fin;Dernier accès au cours",
            Line("alice", "Actif", "Étudiant", method),
            Line("chloe", "Pas à jour", "Étudiant", method),
            Line("dave", "Suspendu", "Étudiant", method),
            Line("tess", "Actif", "Enseignant", method));
        var configuration = await SharedServices.ConfigurationAsync();

        async Task<(int Exit, string Output)> ImportAsync(string text)
        {
            var path = Path.Combine(Path.GetTempPath(), $"participants-fr-{site.Tag}-{Guid.NewGuid():N}.csv");
            await System.IO.File.WriteAllTextAsync(path, text, new UTF8Encoding(false), TestContext.CancellationToken);
            var output = new StringWriter();
            var original = Console.Out;
            Console.SetOut(output);
            try
            {
                return (await InProcessCli.RunAsync(["import", path, "--timezone", "America/Montreal", $"AzureWebJobsStorage={configuration["AzureWebJobsStorage"]}"]), output.ToString());
            }
            finally
            {
                Console.SetOut(original);
                System.IO.File.Delete(path);
            }
        }

        var (exit, output) = await ImportAsync(File("Méthode", "Inscriptions manuelles"));
        Assert.AreEqual(0, exit, output);
        StringAssert.Contains(output, "4 rows: courses 0 created, 1 updated, 0 rejected; learners 0 created, 4 updated, 0 rejected; enrolments 4 created, 0 updated, 0 rejected.");
        var store = core.Get<SnapshotStore>();
        foreach (var person in new[] { "alice", "chloe", "dave" })
        {
            var enrolment = (await store.GetAsync(site.Course, site.Id(person), TestContext.CancellationToken))!.Enrolments.Single();
            Assert.AreEqual((Minute(Ue(site, person, "timestart")), Minute(Ue(site, person, "timeend"))), (enrolment.Start, enrolment.End), $"{person}: read in Montreal's zone");
            Assert.AreEqual("Inscriptions manuelles", enrolment.Method, "the column 'Méthode'");
        }
        Assert.IsFalse((await store.GetAsync(site.Course, site.Id("dave"), TestContext.CancellationToken))!.Enrolments.Single().IsActive, "Suspendu");
        CollectionAssert.AreEqual(new[] { "editingteacher" }, (await store.GetAsync(site.Course, site.Id("tess"), TestContext.CancellationToken))!.Roles!.ToArray(), "Enseignant");
        Assert.AreEqual(("fr", "Europe/Paris"), ((await core.Get<LearnerStore>().GetAsync(site.Id("alice"), TestContext.CancellationToken))!.Lang, (await core.Get<LearnerStore>().GetAsync(site.Id("alice"), TestContext.CancellationToken))!.TimeZone));

        // The heading with its full name, as the enrolment entity has it, in Moodle's typographic apostrophe.
        (exit, output) = await ImportAsync(File("Inscription : Méthode d’inscription", "Auto-inscription (Étudiant)"));
        Assert.AreEqual(0, exit, output);
        CollectionAssert.AreEquivalent(
            new[] { "Inscriptions manuelles", "Auto-inscription (Étudiant)" },
            (await store.GetAsync(site.Course, site.Id("alice"), TestContext.CancellationToken))!.Enrolments.Select(e => e.Method).ToArray());
    }

    private async Task<int> CountAsync(SnapshotStore store, long course)
    {
        var count = 0;
        await foreach (var page in store.ListPagesAsync(course, 1_000, TestContext.CancellationToken))
        {
            count += page.Count;
        }
        return count;
    }

    /// <summary>A stream without a length, so HttpClient sends it chunked.</summary>
    private sealed class UnseekableStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
