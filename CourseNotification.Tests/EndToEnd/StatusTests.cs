using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CourseNotification.Cli.Hosting;
using CourseNotification.Tests.Integration;

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
        StringAssert.Contains(page, "title=\"not_applicable (anchor 2037-09-07): already accessed the course\"");
        StringAssert.Contains(page, $"<a href=\"/courses/{course}/learners/{bernard}/mails/welcome?at=", "each cell links to the mail's preview");
        StringAssert.Contains(page, "<select name=\"state\">");

        Assert.AreEqual(HttpStatusCode.BadRequest, (await http.GetAsync($"api/courses/{course}/status?state=done", TestContext.CancellationToken)).StatusCode);
        Assert.AreEqual(HttpStatusCode.NotFound, (await http.GetAsync($"api/courses/{TestIds.Next()}/status", TestContext.CancellationToken)).StatusCode);
    }
}
