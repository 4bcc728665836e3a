using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CourseNotification.Cli.Hosting;
using CourseNotification.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Tests.EndToEnd;

/// <summary>The status grid of a course, JSON and HTML: states with dates and reasons, totals, filters, paging.</summary>
[TestClass]
[TestCategory("storage")]
public sealed class StatusTests
{
    private static readonly DateTimeOffset Opening = new(2037, 9, 7, 0, 0, 0, TimeSpan.FromHours(2));

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task The_status_shows_each_learners_decisions_with_reasons_totals_and_filters()
    {
        await using var host = await LocalHost.StartAsync(null, workers: false);
        var http = host.Http;
        var course = TestIds.Next();
        var (bernard, dupont, durand, teacher) = (TestIds.Next(), TestIds.Next(), TestIds.Next(), TestIds.Next());
        JsonObject Person(long id, string last) => new() { ["id"] = id, ["email"] = $"{last}@example.org", ["firstName"] = "A", ["lastName"] = last, ["timeZone"] = "Europe/Paris" };
        JsonObject Enrol(long id, string role, long? lastAccess = null) => new() { ["id"] = id, ["courseId"] = course, ["learnerId"] = id, ["start"] = Opening.ToUnixTimeSeconds(), ["roles"] = new JsonArray(role), ["lastAccess"] = lastAccess };
        (await http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Grille <de> suivi", ["startDate"] = Opening.ToString("O") }),
            ["learners"] = new JsonArray(Person(bernard, "Bernard"), Person(dupont, "Dupont"), Person(durand, "Durand"), Person(teacher, "Prof")),
            ["enrolments"] = new JsonArray(Enrol(bernard, "student", Opening.AddHours(8).ToUnixTimeSeconds()), Enrol(dupont, "student"), Enrol(durand, "student"), Enrol(teacher, "editingteacher")),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        var at = Uri.EscapeDataString(Opening.AddHours(10).ToString("O"));

        var status = (await http.GetFromJsonAsync<JsonObject>($"api/courses/{course}/status?at={at}", TestContext.CancellationToken))!;
        Assert.AreEqual(4, (int)status["learners"]!);
        Assert.AreEqual(11, status["signals"]!.AsArray().Count);
        var welcome = status["totals"]!["welcome"]!.AsObject();
        Assert.AreEqual((2, 2), ((int)welcome["due"]!, (int)welcome["not_applicable"]!), "two due; the one who came and the teacher not");
        var rows = status["rows"]!.AsArray();
        var bernardRow = rows.Single(r => (long)r!["learnerId"]! == bernard)!;
        Assert.AreEqual("Bernard A", (string?)bernardRow["name"]);
        Assert.AreEqual("already accessed the course", (string?)bernardRow["cells"]!["welcome"]!["reason"]);

        var due = (await http.GetFromJsonAsync<JsonObject>($"api/courses/{course}/status?at={at}&state=due", TestContext.CancellationToken))!;
        CollectionAssert.AreEquivalent(new[] { dupont, durand }, due["rows"]!.AsArray().Select(r => (long)r!["learnerId"]!).ToArray());
        var d = (await http.GetFromJsonAsync<JsonObject>($"api/courses/{course}/status?at={at}&state=due&initial=d&pageSize=1&page=2", TestContext.CancellationToken))!;
        Assert.AreEqual((2, 1), ((int)d["learners"]!, d["rows"]!.AsArray().Count), "two match, one per page");

        var page = await http.GetStringAsync($"courses/{course}/status?at={at}", TestContext.CancellationToken);
        StringAssert.Contains(page, "<h1>Grille &lt;de&gt; suivi</h1>");
        StringAssert.Contains(System.Net.WebUtility.HtmlDecode(page), "title=\"sans objet (jour de référence 2037-09-07)\u00A0: déjà venu dans le cours\"", "the platform's French when the client names no language");
        StringAssert.Contains(page, $"<a href=\"/courses/{course}/learners/{bernard}/mails/welcome?at=", "each cell links to the mail's preview");
        StringAssert.Contains(page, "<select name=\"state\">");

        Assert.AreEqual(HttpStatusCode.BadRequest, (await http.GetAsync($"api/courses/{course}/status?state=done", TestContext.CancellationToken)).StatusCode);
        Assert.AreEqual(HttpStatusCode.NotFound, (await http.GetAsync($"api/courses/{TestIds.Next()}/status", TestContext.CancellationToken)).StatusCode);
    }

    [TestMethod]
    public async Task Rows_go_by_name_and_a_sent_mail_is_previewed_as_of_when_it_was_sent()
    {
        await using var host = await LocalHost.StartAsync(null, workers: false);
        var http = host.Http;
        var course = TestIds.Next();
        // Ids in the opposite order of the names: the grid must not follow the ids.
        var (zola, martin, albert) = (TestIds.Next(), TestIds.Next(), TestIds.Next());
        var end = Opening.AddDays(30);
        JsonObject Person(long id, string last) => new() { ["id"] = id, ["email"] = $"{last}@example.org", ["firstName"] = "Ann", ["lastName"] = last, ["lang"] = "en", ["timeZone"] = "Europe/Paris" };
        JsonObject Enrol(long id) => new() { ["id"] = id, ["courseId"] = course, ["learnerId"] = id, ["start"] = Opening.ToUnixTimeSeconds(), ["end"] = end.ToUnixTimeSeconds(), ["roles"] = new JsonArray("student"), ["lastAccess"] = Opening.AddHours(8).ToUnixTimeSeconds() };
        (await http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Order", ["startDate"] = Opening.ToString("O") }),
            ["learners"] = new JsonArray(Person(zola, "Zola"), Person(martin, "Émile"), Person(albert, "albert")),
            ["enrolments"] = new JsonArray(Enrol(zola), Enrol(martin), Enrol(albert)),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();

        // Seven days before the access end, end7 is due for Zola: it goes out then (recorded as the dispatcher does).
        var sentAt = end.AddDays(-7).AddHours(10);
        var then = (await http.GetFromJsonAsync<JsonObject>($"api/courses/{course}/status?at={Uri.EscapeDataString(sentAt.ToString("O"))}", TestContext.CancellationToken))!;
        var cell = then["rows"]!.AsArray().Single(r => (long)r!["learnerId"]! == zola)!["cells"]!["end7"]!;
        Assert.AreEqual("due", (string?)cell["state"], cell.ToJsonString());
        var key = new CourseNotification.Signals.SendKey(course, zola, "end7", DateOnly.Parse((string)cell["anchor"]!, System.Globalization.CultureInfo.InvariantCulture), 0);
        var ledger = host.App.Services.GetRequiredService<CourseNotification.Storage.LedgerStore>();
        var claim = await ledger.TryClaimAsync(key, sentAt, TimeSpan.FromMinutes(2), TestContext.CancellationToken);
        await ledger.MarkSentAsync(key, claim.ETag, sentAt, "<end7@example.org>", TestContext.CancellationToken);

        // Two days after the access end, the grid is read.
        var now = Uri.EscapeDataString(end.AddDays(2).ToString("O"));
        var status = (await http.GetFromJsonAsync<JsonObject>($"api/courses/{course}/status?at={now}", TestContext.CancellationToken))!;
        CollectionAssert.AreEqual(new[] { "albert Ann", "Émile Ann", "Zola Ann" }, status["rows"]!.AsArray().Select(r => (string)r!["name"]!).ToArray(), "by last name, whatever the case or accents");
        var page = await http.GetStringAsync($"courses/{course}/status?at={now}", TestContext.CancellationToken);
        var link = System.Text.RegularExpressions.Regex.Match(page, $"href=\"(?<url>/courses/{course}/learners/{zola}/mails/end7\\?at=[^\"]+)\"").Groups["url"].Value;
        Assert.AreEqual(sentAt, DateTimeOffset.Parse(Uri.UnescapeDataString(link[(link.IndexOf("at=", StringComparison.Ordinal) + 3)..].Replace("&amp;", "&", StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture), "the sent cell links to the instant it was sent");

        var preview = await http.GetStringAsync(link.Replace("&amp;", "&", StringComparison.Ordinal)[1..], TestContext.CancellationToken);
        StringAssert.Contains(preview, "you have 7 days left", "the mail as Zola read it");
        Assert.IsFalse(preview.Contains("today is your last day", StringComparison.Ordinal));
        StringAssert.Contains(System.Net.WebUtility.HtmlDecode(preview), $"envoyé ({sentAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC). Langue\u00A0: anglais.", "no empty reason");
    }
}
