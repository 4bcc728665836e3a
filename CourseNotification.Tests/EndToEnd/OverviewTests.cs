using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CourseNotification.Cli.Hosting;
using CourseNotification.Enrolments;
using CourseNotification.Questionnaires;
using CourseNotification.Scanning;
using CourseNotification.Signals;
using CourseNotification.Storage;
using CourseNotification.Tests.Enrolments;
using CourseNotification.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Tests.EndToEnd;

/// <summary>The site overview: per course sent, failed, due and poisoned; the intake's health (last event, last sync and its error).</summary>
[TestClass]
[TestCategory("storage")]
public sealed class OverviewTests
{
    private static readonly DateTimeOffset Opening = new(2038, 6, 7, 0, 0, 0, TimeSpan.FromHours(2));

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task The_overview_counts_each_courses_sends_and_shows_the_intakes_health()
    {
        await using var moodle = await FakeMoodleWebService.StartAsync();
        var now = Opening.AddHours(10);
        await using var host = await LocalHost.StartAsync(new ShiftableClock(now), false, ("Moodle:Url", moodle.Url.ToString()), ("Moodle:Token", "wrong"));
        var (serve, http) = (host.App, host.Http);
        var course = TestIds.Next();
        var learners = new[] { TestIds.Next(), TestIds.Next(), TestIds.Next() };
        (await http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Vue d'ensemble", ["startDate"] = Opening.ToString("O") }),
            ["learners"] = new JsonArray([.. learners.Select(id => (JsonNode)new JsonObject { ["id"] = id, ["email"] = $"o{id}@example.org", ["timeZone"] = "Europe/Paris" })]),
            ["enrolments"] = new JsonArray([.. learners.Select(id => (JsonNode)new JsonObject { ["id"] = id, ["courseId"] = course, ["learnerId"] = id, ["start"] = Opening.ToUnixTimeSeconds() })]),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        var ledger = serve.Services.GetRequiredService<LedgerStore>();
        var welcome = (long learner) => new SendKey(course, learner, SignalKeys.Welcome, DateOnly.FromDateTime(Opening.Date), 0);
        var claim = await ledger.TryClaimAsync(welcome(learners[0]), now, TimeSpan.FromMinutes(2), TestContext.CancellationToken);
        await ledger.MarkSentAsync(welcome(learners[0]), claim.ETag, now, "<a@example.org>", TestContext.CancellationToken);
        var refused = await ledger.TryClaimAsync(welcome(learners[1]), now, TimeSpan.FromMinutes(2), TestContext.CancellationToken);
        await ledger.MarkFailedAsync(welcome(learners[1]), refused.ETag, now, "mailbox full", retryable: false);
        var poison = serve.Services.GetRequiredService<StorageAccount>().Queue(StorageNames.PoisonQueueOf(StorageNames.NotificationsQueue));
        await poison.SendMessageAsync(System.Text.Json.JsonSerializer.Serialize(new NotificationMessage(course, learners[2], SignalKeys.Welcome, DateOnly.FromDateTime(Opening.Date), 0, now), QueueWriter.Json), TestContext.CancellationToken);

        (await http.PostAsJsonAsync("api/moodle/events", new JsonObject { ["eventname"] = @"\core\event\course_viewed", ["courseid"] = course.ToString(System.Globalization.CultureInfo.InvariantCulture), ["userid"] = "1" }, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        await serve.Services.GetRequiredService<MoodleSync>().SyncAsync(baseline: false, TestContext.CancellationToken);

        var period = $"from={Uri.EscapeDataString(now.AddDays(-1).ToString("O"))}&to={Uri.EscapeDataString(now.AddDays(1).ToString("O"))}";
        var overview = (await http.GetFromJsonAsync<JsonObject>($"api/overview?{period}", TestContext.CancellationToken))!;
        var row = overview["courses"]!.AsArray().Single(c => (long)c!["courseId"]! == course)!;
        Assert.AreEqual((1, 1, 1, 1), ((int)row["sent"]!, (int)row["failed"]!, (int)row["due"]!, (int)row["poisoned"]!), "learner 3's welcome is due; 1 and 2 are done");
        Assert.IsTrue((int)overview["poisonedTotal"]! >= 1);
        Assert.IsNotNull(overview["intake"]!["lastEventAt"], "Moodle's last push");
        StringAssert.Contains((string?)overview["intake"]!["lastSyncError"], "invalidtoken");

        var page = await http.GetStringAsync($"overview?{period}", TestContext.CancellationToken);
        StringAssert.Contains(page, "Vue d&#x27;ensemble", "escaped");
        StringAssert.Contains(page, $"<a href=\"/courses/{course}/status\">état</a>", "in the platform's French when the client names no language");
        Assert.AreEqual(HttpStatusCode.BadRequest, (await http.GetAsync("api/overview?from=2040-01-01T00:00:00Z&to=2039-01-01T00:00:00Z", TestContext.CancellationToken)).StatusCode);

        await poison.ClearMessagesAsync(TestContext.CancellationToken);
    }

    [TestMethod]
    public async Task An_answer_is_not_counted_as_a_send_and_the_period_is_written_in_utc()
    {
        var now = Opening.AddHours(10);
        await using var host = await LocalHost.StartAsync(new ShiftableClock(now), false);
        var course = TestIds.Next();
        var learner = TestIds.Next();
        (await host.Http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Réponses", ["startDate"] = Opening.ToString("O") }),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        var ledger = host.App.Services.GetRequiredService<LedgerStore>();
        var day = DateOnly.FromDateTime(Opening.Date);
        // The invitation went out (a mail); the learner answered it (a ledger row, not a mail).
        var invitation = new SendKey(course, learner, QuestionnaireSignals.Invitation("hot"), day, 0);
        var claim = await ledger.TryClaimAsync(invitation, now, TimeSpan.FromMinutes(2), TestContext.CancellationToken);
        await ledger.MarkSentAsync(invitation, claim.ETag, now, "<q@example.org>", TestContext.CancellationToken);
        Assert.IsTrue(await ledger.TryRecordOnceAsync(new SendKey(course, learner, QuestionnaireSignals.Answered("hot"), day, 0), day, TestContext.CancellationToken));

        // A period given in Paris time (+02:00 in June).
        var period = $"from={Uri.EscapeDataString(now.AddDays(-1).ToString("O"))}&to={Uri.EscapeDataString(now.AddDays(1).ToString("O"))}";
        var overview = (await host.Http.GetFromJsonAsync<JsonObject>($"api/overview?{period}", TestContext.CancellationToken))!;
        var row = overview["courses"]!.AsArray().Single(c => (long)c!["courseId"]! == course)!;
        Assert.AreEqual(1, (int)row["sent"]!, "one mail went out; the answer is not a send");

        var page = await host.Http.GetStringAsync($"overview?{period}&lang=en", TestContext.CancellationToken);
        StringAssert.Contains(page, "From 2038-06-06 08:00 to 2038-06-08 08:00 UTC.", "10:00 in Paris is 08:00 UTC");
        StringAssert.Contains(page, $"<a href=\"/courses/{course}/status?lang=en\">status</a>", "the language carried on to the course's page");
    }
}
