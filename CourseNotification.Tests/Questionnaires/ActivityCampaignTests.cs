using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CourseNotification.Cli.Hosting;
using CourseNotification.Cli.Local;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Tests.Questionnaires;

/// <summary>
/// A campaign triggered by one activity's completion, over real HTTP, Azurite and maildev, scanned hour
/// by hour like the timer: Moodle's completion events go in (the learner's own, a teacher's override, an
/// "incomplete", another activity), exactly one invitation goes out at the send hour in the learner's
/// zone, a later un-completion cancels nothing, the reminder follows, and the campaign has its own report.
/// Also <c>GET /api/questionnaires</c>, which lists the campaign under its questionnaire.
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed partial class ActivityCampaignTests
{
    // Tuesday 3 June 2031, 22:30 in Montreal (UTC-4): after the send hours, so the invitation waits for the morning.
    private static readonly DateTimeOffset Completed = new(2031, 6, 3, 22, 30, 0, TimeSpan.FromHours(-4));
    private const long Exam = 7701;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task The_learner_s_own_completion_of_the_activity_brings_one_invitation_at_9_in_their_zone_and_nothing_else_does()
    {
        var clock = new ShiftableClock(Completed.AddHours(-1));
        await using var host = await LocalHost.StartOnOwnStorageAsync(clock, ("Platform:PublicUrl", "http://public.example"));
        var http = host.Http;
        var pipeline = host.App.Services.GetRequiredService<Pipeline>();
        var (course, learner, overridden, undone, elsewhere) = (TestIds.Next(), TestIds.Next(), TestIds.Next(), TestIds.Next(), TestIds.Next());
        long[] everyone = [learner, overridden, undone, elsewhere];
        (await http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Habilitation électrique", ["startDate"] = Completed.AddDays(-30).ToString("O") }),
            ["learners"] = new JsonArray([.. everyone.Select(id => new JsonObject
            {
                ["id"] = id, ["email"] = $"u{course}-{id}@example.org", ["lang"] = id == learner ? "en" : "fr", ["firstName"] = "Sam",
                ["timeZone"] = id == learner ? "America/Montreal" : "Europe/Paris",
            })]),
            ["enrolments"] = new JsonArray([.. everyone.Select(id => new JsonObject
            {
                ["id"] = id, ["courseId"] = course, ["learnerId"] = id, ["start"] = Completed.AddDays(-30).ToUnixTimeSeconds(),
                ["firstAccess"] = Completed.AddDays(-29).ToUnixTimeSeconds(), ["roles"] = new JsonArray("student"),
            })]),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();

        // An activity campaign must name its activity.
        var refused = await http.PutAsJsonAsync($"api/courses/{course}/settings", new JsonObject
        {
            ["campaigns"] = new JsonArray(new JsonObject { ["id"] = "exam", ["questionnaire"] = "qualiopi-cold", ["trigger"] = "activityCompleted" }),
        }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, refused.StatusCode);
        StringAssert.Contains(await refused.Content.ReadAsStringAsync(TestContext.CancellationToken), "campaigns[0].activityId");
        var saved = await http.PutAsJsonAsync($"api/courses/{course}/settings", new JsonObject
        {
            // Only the campaign speaks here.
            ["signals"] = new JsonObject([.. CourseNotification.Signals.SignalKeys.All.Select(k => KeyValuePair.Create(k, (JsonNode?)false))]),
            ["campaigns"] = new JsonArray(new JsonObject
            {
                ["id"] = "exam", ["questionnaire"] = "qualiopi-cold", ["trigger"] = "activityCompleted", ["activityId"] = Exam, ["reminderDays"] = new JsonArray(7),
            }),
        }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, saved.StatusCode, await saved.Content.ReadAsStringAsync(TestContext.CancellationToken));

        // The list of questionnaires shows the campaign with its activity.
        var listed = (await http.GetFromJsonAsync<JsonArray>("api/questionnaires", TestContext.CancellationToken))!;
        var cold = listed.Single(q => (string)q!["id"]! == "qualiopi-cold")!;
        Assert.AreEqual(("A few weeks after your course", 9, true), ((string)cold["title"]!["en"]!, (int)cold["questions"]!, (bool)cold["shipped"]!));
        var use = cold["campaigns"]!.AsArray().Single(c => (long)c!["courseId"]! == course)!;
        Assert.AreEqual(("exam", "activityCompleted", Exam, "activity 7701"), ((string)use["campaign"]!, (string)use["trigger"]!, (long)use["activityId"]!, (string)use["activity"]!));

        var pushed = await PushAsync(http, new JsonArray(
            Completion(course, learner, Exam, Completed, state: 1),
            Completion(course, overridden, Exam, Completed, state: 1, overrideBy: 2),
            Completion(course, undone, Exam, Completed, state: 0),
            Completion(course, elsewhere, Exam + 1, Completed, state: 2)));
        Assert.AreEqual(HttpStatusCode.Accepted, pushed.StatusCode, await pushed.Content.ReadAsStringAsync(TestContext.CancellationToken));
        var snapshots = host.App.Services.GetRequiredService<SnapshotStore>();
        Assert.AreEqual(Completed, (await snapshots.GetAsync(course, learner, TestContext.CancellationToken))!.ActivityCompletedAt(Exam));
        Assert.IsNull((await snapshots.GetAsync(course, overridden, TestContext.CancellationToken))!.ActivityCompletions, "a teacher's override is not the learner's completion");
        Assert.IsNull((await snapshots.GetAsync(course, undone, TestContext.CancellationToken))!.ActivityCompletions, "incomplete is no completion");

        // Hourly scans through the night: nothing before 09:00 in Montreal, one invitation at 09:00, nothing after.
        using var inbox = new MaildevInbox((await SharedServices.MaildevAsync()).WebUrl);
        var sentAt = new List<string>();
        for (var at = Completed.AddMinutes(30); at <= Completed.AddHours(14.5); at = at.AddHours(1))
        {
            await ScanAsync(http, pipeline, clock, at);
            var mails = (await inbox.ReadAsync(TestContext.CancellationToken)).Where(m => m.To.StartsWith($"u{course}-", StringComparison.Ordinal)).ToList();
            for (var i = sentAt.Count; i < mails.Count; i++)
            {
                sentAt.Add($"{at.ToOffset(TimeSpan.FromHours(-4)):yyyy-MM-dd HH:mm} {mails[i].To}");
            }
        }
        CollectionAssert.AreEqual(new[] { $"2031-06-04 09:00 u{course}-{learner}@example.org" }, sentAt, string.Join("\n", sentAt));
        var invitation = (await inbox.ReadAsync(TestContext.CancellationToken)).Single(m => m.To == $"u{course}-{learner}@example.org");
        StringAssert.Contains(invitation.Text, "http://public.example/q/");

        // The learner un-completes the activity (a retake): the invitation stands, the reminder follows a week later.
        Assert.AreEqual(HttpStatusCode.Accepted, (await PushAsync(http, new JsonArray(Completion(course, learner, Exam, Completed.AddDays(2), state: 0)))).StatusCode);
        Assert.AreEqual(Completed, (await snapshots.GetAsync(course, learner, TestContext.CancellationToken))!.ActivityCompletedAt(Exam));
        await ScanAsync(http, pipeline, clock, Completed.AddDays(7).AddHours(10.5));
        await ScanAsync(http, pipeline, clock, Completed.AddDays(7).AddHours(11.5));
        var all = (await inbox.ReadAsync(TestContext.CancellationToken)).Where(m => m.To.StartsWith($"u{course}-", StringComparison.Ordinal)).ToList();
        Assert.AreEqual(2, all.Count, string.Join("\n", all.Select(m => $"{m.To} {m.Subject}")));
        Assert.AreEqual(1, all.Count(m => m.To == $"u{course}-{learner}@example.org" && m.Subject.StartsWith("A quick reminder", StringComparison.Ordinal)), "the reminder");

        // Answered from the mail: the campaign's own report counts one invitation and one answer.
        var path = Link().Match(invitation.Text).Groups[1].Value;
        var answered = await http.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["applied"] = "yes", ["frequency"] = "weekly", ["impact"] = "4", ["materials"] = "4", ["moretraining"] = "no", ["overall"] = "5", ["recommend"] = "9",
        }), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, answered.StatusCode, await answered.Content.ReadAsStringAsync(TestContext.CancellationToken));
        var report = (await http.GetFromJsonAsync<JsonObject>($"api/reports/qualiopi?courses={course}&from=2031-06-01&to=2031-06-30&campaign=exam&format=json", TestContext.CancellationToken))!;
        Assert.AreEqual((1, 1, 1), ((int)report["participation"]!["invited"]!, (int)report["participation"]!["reminded"]!, (int)report["participation"]!["answered"]!));
    }

    private static async Task ScanAsync(HttpClient http, Pipeline pipeline, ShiftableClock clock, DateTimeOffset at)
    {
        clock.MoveTo(at);
        (await http.PostAsync($"api/scan?at={Uri.EscapeDataString(at.ToString("O"))}", null)).EnsureSuccessStatusCode();
        Assert.IsTrue(await pipeline.WaitUntilEmptyAsync(TimeSpan.FromSeconds(30), CancellationToken.None), "The queues did not empty.");
    }

    private async Task<HttpResponseMessage> PushAsync(HttpClient http, JsonNode body) =>
        await http.PostAsync("api/moodle/events", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), TestContext.CancellationToken);

    /// <summary>course_module_completion_updated as a real Moodle 4.5 writes it (Moodle/Real/events.jsonl): the module's context, ids as strings.</summary>
    private static JsonObject Completion(long course, long learner, long activity, DateTimeOffset at, int state, long? overrideBy = null) => new()
    {
        ["eventname"] = @"\core\event\course_module_completion_updated",
        ["component"] = "core",
        ["action"] = "updated",
        ["target"] = "course_module_completion",
        ["objecttable"] = "course_modules_completion",
        ["objectid"] = 1,
        ["crud"] = "u",
        ["edulevel"] = 2,
        ["contextid"] = 13,
        ["contextlevel"] = 70,
        ["contextinstanceid"] = activity.ToString(CultureInfo.InvariantCulture),
        ["userid"] = (overrideBy ?? learner).ToString(CultureInfo.InvariantCulture),
        ["courseid"] = course.ToString(CultureInfo.InvariantCulture),
        ["relateduserid"] = learner.ToString(CultureInfo.InvariantCulture),
        ["anonymous"] = 0,
        ["other"] = new JsonObject { ["relateduserid"] = learner.ToString(CultureInfo.InvariantCulture), ["overrideby"] = overrideBy, ["completionstate"] = state },
        ["timecreated"] = at.ToUnixTimeSeconds(),
    };

    [GeneratedRegex(@"http://public\.example(/q/[A-Za-z0-9_-]{22})")]
    private static partial Regex Link();
}
