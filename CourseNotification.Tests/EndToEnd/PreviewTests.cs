using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CourseNotification.Tests.Cli;
using CourseNotification.Cli.Hosting;
using CourseNotification.Tests.Integration;

namespace CourseNotification.Tests.EndToEnd;

/// <summary>The preview over HTTP and on the command line: every decision with its state, date and reason, nothing sent.</summary>
[TestClass]
[TestCategory("storage")]
public sealed class PreviewTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task The_preview_lists_every_signal_of_every_learner_with_reasons_over_http_and_in_the_cli()
    {
        await using var host = await LocalHost.StartAsync(null, workers: false);
        var (http, configuration) = (host.Http, host.Configuration);
        var (course, learner, teacher) = (TestIds.Next(), TestIds.Next(), TestIds.Next());
        var opening = new DateTimeOffset(2028, 9, 4, 0, 0, 0, TimeSpan.FromHours(2));
        (await http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Préparation", ["startDate"] = opening.ToString("O") }),
            ["learners"] = new JsonArray(
                new JsonObject { ["id"] = learner, ["email"] = "p@example.org", ["lang"] = "fr", ["timeZone"] = "Europe/Paris" },
                new JsonObject { ["id"] = teacher, ["email"] = "t@example.org", ["lang"] = "fr" }),
            ["enrolments"] = new JsonArray(
                new JsonObject { ["id"] = TestIds.Next(), ["courseId"] = course, ["learnerId"] = learner, ["start"] = opening.ToUnixTimeSeconds(), ["end"] = opening.AddDays(30).ToUnixTimeSeconds(), ["roles"] = new JsonArray("student") },
                new JsonObject { ["id"] = TestIds.Next(), ["courseId"] = course, ["learnerId"] = teacher, ["roles"] = new JsonArray("editingteacher") }),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();

        var at = new DateTimeOffset(2028, 9, 3, 12, 0, 0, TimeSpan.FromHours(2));
        var response = await http.GetAsync($"api/preview?courseId={course}&at={Uri.EscapeDataString(at.ToString("O"))}", TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        var decisions = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.CancellationToken))!.AsArray();
        Assert.AreEqual(22, decisions.Count, "11 signals for each of 2 people");

        var welcome = decisions.Single(d => (long)d!["learnerId"]! == learner && (string)d["signal"]! == "welcome")!;
        Assert.AreEqual("scheduled", (string?)welcome["state"]);
        Assert.AreEqual("2028-09-04", (string?)welcome["anchor"]);
        Assert.AreEqual(new DateTimeOffset(2028, 9, 4, 9, 0, 0, TimeSpan.FromHours(2)), DateTimeOffset.Parse((string)welcome["at"]!, System.Globalization.CultureInfo.InvariantCulture));
        var end15 = decisions.Single(d => (long)d!["learnerId"]! == learner && (string)d["signal"]! == "end15")!;
        Assert.AreEqual(("scheduled", "2028-10-04"), ((string?)end15["state"], (string?)end15["anchor"]));
        Assert.IsTrue(decisions.Where(d => (long)d!["learnerId"]! == teacher).All(d => (string?)d!["state"] == "not_applicable" && (string?)d["reason"] == "not a learner"));
        Assert.IsTrue(decisions.All(d => d!["courseId"] is not null && d["reason"] is not null));

        // The Cli prints the same decisions (same Core code, same storage).
        var printed = new StringWriter();
        var original = Console.Out;
        Console.SetOut(printed);
        try
        {
            Assert.AreEqual(0, await InProcessCli.RunAsync(["preview", "--course", course.ToString(System.Globalization.CultureInfo.InvariantCulture), "--at", at.ToString("O"), "--json", $"AzureWebJobsStorage={configuration["AzureWebJobsStorage"]}"]));
        }
        finally
        {
            Console.SetOut(original);
        }
        Assert.AreEqual(decisions.ToJsonString(), JsonNode.Parse(printed.ToString())!.ToJsonString());

        var bad = await http.GetAsync("api/preview?courseId=abc", TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, bad.StatusCode);
        var unknown = await http.GetAsync($"api/preview?courseId={TestIds.Next()}", TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.NotFound, unknown.StatusCode);
        StringAssert.Contains(await unknown.Content.ReadAsStringAsync(TestContext.CancellationToken), "\"field\":\"courseId\"");
    }
}
