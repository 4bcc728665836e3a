using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using CourseNotification.Cli.Hosting;
using CourseNotification.Cli.Local;
using CourseNotification.Digest;
using CourseNotification.Signals;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Tests.Digest;

/// <summary>
/// The trainers' weekly digest over real HTTP, Azurite and maildev, scanned hour by hour: a trainer of
/// three courses with the digest on (and one with it off) gets one mail on Monday at 08:00 in their own
/// zone, in their language, listing the right learners of the three courses with what was sent to them;
/// the third course's own weekday brings no second mail; a week with nothing to report brings none.
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed class TrainerDigestTests
{
    // Monday 3 March 2031, 08:00 in Montreal (UTC-5) is 13:00 UTC.
    private static readonly DateTimeOffset Monday = new(2031, 3, 3, 8, 0, 0, TimeSpan.FromHours(-5));

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task A_trainer_of_three_courses_gets_one_digest_at_8_their_time_with_the_right_learners_and_none_in_a_quiet_week()
    {
        var clock = new ShiftableClock(Monday.AddDays(-1));
        await using var host = await LocalHost.StartOnOwnStorageAsync(clock,
            ("Platform:PublicUrl", "http://public.example"), ("Digest:Enabled", "true"), ("Digest:Day", "Monday"), ("Digest:Hour", "8"));
        var http = host.Http;
        var id = TestIds.Next;
        var (a, b, c, off) = (id(), id(), id(), id());
        var trainer = id();
        var (neverCame, drifted, active, completed, ending, neverCameC, neverCameOff) = (id(), id(), id(), id(), id(), id(), id());
        var start = Monday.AddDays(-30);
        JsonObject Person(long who, string first, string lang = "fr", string zone = "Europe/Paris") =>
            new() { ["id"] = who, ["email"] = $"p{who}@example.org", ["firstName"] = first, ["lastName"] = $"N{who}", ["lang"] = lang, ["timeZone"] = zone };
        JsonObject Enrolment(long course, long who, string role = "student", DateTimeOffset? firstAccess = null, DateTimeOffset? lastAccess = null, DateTimeOffset? end = null, DateTimeOffset? completedAt = null)
        {
            var row = new JsonObject { ["id"] = id(), ["courseId"] = course, ["learnerId"] = who, ["start"] = Monday.AddDays(-20).ToUnixTimeSeconds(), ["roles"] = new JsonArray(role) };
            if (firstAccess is { } f) { row["firstAccess"] = f.ToUnixTimeSeconds(); }
            if (lastAccess is { } l) { row["lastAccess"] = l.ToUnixTimeSeconds(); }
            if (end is { } e) { row["end"] = e.ToUnixTimeSeconds(); }
            if (completedAt is { } done) { row["completedAt"] = done.ToUnixTimeSeconds(); }
            return row;
        }
        (await http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray([.. new[] { (a, "Accueil sécurité"), (b, "Bureautique"), (c, "Comptabilité"), (off, "Désactivé") }
                .Select(x => new JsonObject { ["id"] = x.Item1, ["fullName"] = x.Item2, ["startDate"] = start.ToString("O") })]),
            ["learners"] = new JsonArray(
                Person(trainer, "Claire", "fr", "America/Montreal"),
                Person(neverCame, "Nadia"), Person(drifted, "Didier"), Person(active, "Alice"), Person(completed, "Côme"),
                Person(ending, "Estelle"), Person(neverCameC, "Gaston"), Person(neverCameOff, "Octave")),
            ["enrolments"] = new JsonArray(
                Enrolment(a, trainer, "editingteacher"), Enrolment(b, trainer, "editingteacher"), Enrolment(c, trainer, "teacher"), Enrolment(off, trainer, "editingteacher"),
                Enrolment(a, neverCame),
                Enrolment(a, drifted, firstAccess: Monday.AddDays(-19), lastAccess: Monday.AddDays(-18)),
                Enrolment(a, active, firstAccess: Monday.AddDays(-19), lastAccess: Monday.AddDays(-1)),
                Enrolment(a, completed, firstAccess: Monday.AddDays(-19), lastAccess: Monday.AddDays(-18), completedAt: Monday.AddDays(-18)),
                Enrolment(b, ending, firstAccess: Monday.AddDays(-19), lastAccess: Monday.AddDays(-1), end: Monday.AddDays(10)),
                Enrolment(c, neverCameC),
                Enrolment(off, neverCameOff)),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        var silent = new JsonObject([.. SignalKeys.All.Select(k => KeyValuePair.Create(k, (JsonNode?)false))]);
        async Task SettingsAsync(long course, JsonObject? digest)
        {
            var saved = await http.PutAsJsonAsync($"api/courses/{course}/settings", new JsonObject { ["signals"] = silent.DeepClone(), ["digest"] = digest }, TestContext.CancellationToken);
            Assert.AreEqual(HttpStatusCode.OK, saved.StatusCode, await saved.Content.ReadAsStringAsync(TestContext.CancellationToken));
        }
        await SettingsAsync(a, null);
        await SettingsAsync(b, null);
        await SettingsAsync(c, new JsonObject { ["day"] = "Wednesday" });
        await SettingsAsync(off, new JsonObject { ["enabled"] = false });
        // Checked on save, each problem naming its field.
        var refused = await http.PutAsJsonAsync($"api/courses/{a}/settings", new JsonObject { ["digest"] = new JsonObject { ["hour"] = 24, ["roles"] = new JsonArray() } }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, refused.StatusCode);
        var refusal = await refused.Content.ReadAsStringAsync(TestContext.CancellationToken);
        StringAssert.Contains(refusal, "digest.hour");
        StringAssert.Contains(refusal, "digest.roles");

        // A first call went out to Nadia on Friday: the digest says so.
        var ledger = host.App.Services.GetRequiredService<LedgerStore>();
        await ledger.RecordSentAsync(new SendKey(a, neverCame, SignalKeys.FirstCall, DateOnly.FromDateTime(Monday.AddDays(-10).DateTime), 0), Monday.AddDays(-3), "test");

        // Hour by hour through Monday: one digest, at 08:00 in Montreal.
        using var inbox = new MaildevInbox((await SharedServices.MaildevAsync()).WebUrl);
        var address = $"p{trainer}@example.org";
        var sentAt = new List<string>();
        for (var at = Monday.AddHours(-4).AddMinutes(5); at <= Monday.AddHours(4); at = at.AddHours(1))
        {
            await ScanAsync(host, clock, at);
            if ((await inbox.ReadAsync(TestContext.CancellationToken)).Count(m => m.To == address) > sentAt.Count)
            {
                sentAt.Add(at.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
            }
        }
        CollectionAssert.AreEqual(new[] { "2031-03-03 08:05" }, sentAt, "one digest, at 08:00 in the trainer's zone");
        var digest = (await inbox.ReadAsync(TestContext.CancellationToken)).Single(m => m.To == address);
        Assert.AreEqual("Vos stagiaires cette semaine\u00A0: qui relancer", digest.Subject);
        Assert.AreEqual("fr", digest.ContentLanguage);
        var text = digest.Text;
        StringAssert.Contains(text, "== Accueil sécurité ==");
        StringAssert.Contains(text, "== Bureautique ==");
        StringAssert.Contains(text, "== Comptabilité ==");
        StringAssert.Contains(text, $"- Nadia N{neverCame}\u00A0: inscrit·e depuis le 11 février. Envoyé ces 7 derniers jours\u00A0: première relance (28 février)");
        StringAssert.Contains(text, $"- Didier N{drifted}\u00A0: dernière visite le 13 février, il y a 18 jours");
        StringAssert.Contains(text, $"- Estelle N{ending}\u00A0: accès jusqu'au 13 mars, formation non terminée");
        StringAssert.Contains(text, $"- Gaston N{neverCameC}\u00A0: inscrit·e depuis le 11 février");
        StringAssert.Contains(text, $"http://public.example/courses/{a}/status");
        foreach (var absent in new[] { "Alice", "Côme", "Octave", "Désactivé", "Claire N" })
        {
            Assert.IsFalse(text.Contains(absent, StringComparison.Ordinal), $"{absent} is not in the digest:\n{text}");
        }
        StringAssert.Contains(text, "http://public.example/u/", "the person's unsubscribe link");
        Assert.IsTrue(digest.Html.Contains($"href=\"http://public.example/courses/{b}/status\"", StringComparison.Ordinal), "links to the status pages");

        // Wednesday 08:00 is the third course's own day: the week's digest went out already.
        await ScanAsync(host, clock, Monday.AddDays(2).AddMinutes(5));
        Assert.AreEqual(1, (await inbox.ReadAsync(TestContext.CancellationToken)).Count(m => m.To == address), "one digest per person and week");

        // Everyone comes back, Estelle completes: next Monday there is nothing to report, and nothing is sent.
        // Montreal moved to summer time on Sunday: 08:00 there is now 12:00 UTC.
        var next = new DateTimeOffset(2031, 3, 10, 8, 0, 0, TimeSpan.FromHours(-4));
        var events = new JsonArray([.. new[] { (a, neverCame), (a, drifted), (c, neverCameC), (a, active) }.Select(x => CourseViewed(x.Item1, x.Item2, next.AddDays(-1)))]);
        events.Add(new JsonObject
        {
            ["eventname"] = @"\core\event\course_completed", ["courseid"] = b.ToString(CultureInfo.InvariantCulture), ["userid"] = ending.ToString(CultureInfo.InvariantCulture),
            ["relateduserid"] = ending.ToString(CultureInfo.InvariantCulture), ["objectid"] = "1", ["contextinstanceid"] = b.ToString(CultureInfo.InvariantCulture), ["timecreated"] = next.AddDays(-1).ToUnixTimeSeconds(),
        });
        var pushed = await http.PostAsync("api/moodle/events", new StringContent(events.ToJsonString(), Encoding.UTF8, "application/json"), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Accepted, pushed.StatusCode, await pushed.Content.ReadAsStringAsync(TestContext.CancellationToken));
        var preview = (await http.GetFromJsonAsync<JsonObject>($"api/people/{trainer}/digest?at={Uri.EscapeDataString(next.AddMinutes(5).ToString("O"))}", TestContext.CancellationToken))!;
        Assert.AreEqual((false, "2031-03-10", 3), ((bool)preview["wouldSend"]!, (string)preview["dueWeek"]!, preview["courses"]!.AsArray().Count), preview.ToJsonString());
        Assert.AreEqual("Vos stagiaires cette semaine\u00A0: rien à signaler", (string)preview["subject"]!);
        await ScanAsync(host, clock, next.AddMinutes(5));
        await Task.Delay(1000, TestContext.CancellationToken);
        Assert.AreEqual(1, (await inbox.ReadAsync(TestContext.CancellationToken)).Count(m => m.To == address), "nothing sent in a week with nothing to report");

        // The test send: the same mail to an administrator, marked, outside the ledger.
        var admin = $"admin{trainer}@example.org";
        var test = await http.PostAsJsonAsync($"api/people/{trainer}/digest/test", new JsonObject { ["email"] = admin }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Accepted, test.StatusCode, await test.Content.ReadAsStringAsync(TestContext.CancellationToken));
        var tested = (await inbox.WaitForAsync(m => m.To == admin, 1, TimeSpan.FromSeconds(30), TestContext.CancellationToken)).Single();
        Assert.AreEqual("[Test] Vos stagiaires cette semaine\u00A0: rien à signaler", tested.Subject);
        Assert.AreEqual(HttpStatusCode.NotFound, (await http.GetAsync($"api/people/{neverCame}/digest", TestContext.CancellationToken)).StatusCode, "a learner receives no digest");
        var week = TrainerDigest.Key(trainer, new DateOnly(2031, 3, 3));
        Assert.AreEqual(SendState.Sent, (await ledger.ReadLearnerAsync(TrainerDigest.SiteCourse, trainer, TestContext.CancellationToken)).Single().State);
        Assert.AreEqual(week, (await ledger.ReadLearnerAsync(TrainerDigest.SiteCourse, trainer, TestContext.CancellationToken)).Single().Key);
    }

    private static JsonObject CourseViewed(long course, long learner, DateTimeOffset at) => new()
    {
        ["eventname"] = @"\core\event\course_viewed",
        ["courseid"] = course.ToString(CultureInfo.InvariantCulture),
        ["userid"] = learner.ToString(CultureInfo.InvariantCulture),
        ["contextinstanceid"] = course.ToString(CultureInfo.InvariantCulture),
        ["timecreated"] = at.ToUnixTimeSeconds(),
    };

    private async Task ScanAsync(LocalHost host, ShiftableClock clock, DateTimeOffset at)
    {
        clock.MoveTo(at);
        (await host.Http.PostAsync($"api/scan?at={Uri.EscapeDataString(at.ToString("O"))}", null, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        Assert.IsTrue(await host.App.Services.GetRequiredService<Pipeline>().WaitUntilEmptyAsync(TimeSpan.FromSeconds(30), TestContext.CancellationToken), "The queues did not empty.");
    }
}
