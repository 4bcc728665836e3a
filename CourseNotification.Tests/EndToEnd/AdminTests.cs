using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CourseNotification.Cli.Hosting;
using CourseNotification.Signals;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Tests.EndToEnd;

/// <summary>Course settings over HTTP (checked on save, a refusal changes nothing) and GDPR export and erasure.</summary>
[TestClass]
[TestCategory("storage")]
public sealed class AdminTests
{
    private static readonly DateTimeOffset Opening = new(2036, 2, 4, 0, 0, 0, TimeSpan.FromHours(1));

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Course_settings_are_checked_on_save_and_take_effect_at_once()
    {
        await using var host = await LocalHost.StartAsync(null, workers: false);
        var http = host.Http;
        var (course, learner) = (TestIds.Next(), TestIds.Next());
        (await http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["startDate"] = Opening.ToString("O") }),
            ["learners"] = new JsonArray(new JsonObject { ["id"] = learner, ["email"] = "s@example.org", ["timeZone"] = "Europe/Paris" }),
            ["enrolments"] = new JsonArray(new JsonObject { ["id"] = learner, ["courseId"] = course, ["learnerId"] = learner, ["start"] = Opening.ToUnixTimeSeconds() }),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();

        var good = new JsonObject
        {
            ["firstCallDays"] = 3,
            ["signals"] = new JsonObject { ["end7"] = false },
            ["templates"] = new JsonObject { ["welcome"] = new JsonObject { ["fr"] = new JsonObject { ["subject"] = "Bienvenue {{FIRSTNAME}} !" } } },
        };
        var saved = await http.PutAsJsonAsync($"api/courses/{course}/settings", good, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, saved.StatusCode, await saved.Content.ReadAsStringAsync(TestContext.CancellationToken));
        var read = (await http.GetFromJsonAsync<JsonObject>($"api/courses/{course}/settings", TestContext.CancellationToken))!;
        Assert.AreEqual(3, (int)read["effective"]!["firstCallDays"]!);
        Assert.AreEqual(15, (int)read["effective"]!["secondCallDays"]!, "what the course leaves out is the platform's");
        Assert.IsFalse((bool)read["effective"]!["signals"]!["end7"]!);
        Assert.AreEqual("Bienvenue {{FIRSTNAME}} !", (string?)read["settings"]!["templates"]!["welcome"]!["fr"]!["subject"]);

        var at = Uri.EscapeDataString(Opening.AddDays(1).ToString("O"));
        var preview = (await http.GetFromJsonAsync<JsonArray>($"api/preview?courseId={course}&at={at}", TestContext.CancellationToken))!;
        var firstCall = preview.Single(d => (string?)d!["signal"] == SignalKeys.FirstCall)!;
        Assert.AreEqual("2036-02-07T09:00:00+01:00", (string?)firstCall["at"], "the preview uses the new day count at once");

        var bad = new JsonObject
        {
            ["firstCallDays"] = 20,
            ["signals"] = new JsonObject { ["end8"] = false },
            ["templates"] = new JsonObject { ["welcome"] = new JsonObject { ["fr"] = new JsonObject { ["text"] = "Bonjour {{PRENOM}}" }, ["de"] = new JsonObject { ["subject"] = "Hallo" } } },
        };
        var refused = await http.PutAsJsonAsync($"api/courses/{course}/settings", bad, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.AreEqual("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonObject>(TestContext.CancellationToken))!["errors"]!.AsArray().Select(e => (string)e!["field"]!).ToList();
        CollectionAssert.AreEquivalent(new[] { "signals.end8", "secondCallDays", "templates.welcome.fr", "templates.welcome.de" }, errors);
        var unchanged = (await http.GetFromJsonAsync<JsonObject>($"api/courses/{course}/settings", TestContext.CancellationToken))!;
        Assert.AreEqual(3, (int)unchanged["effective"]!["firstCallDays"]!, "a refused save changes nothing");

        var malformed = await http.PutAsync($"api/courses/{course}/settings", new StringContent("""{"firstCallDays":"three"}""", System.Text.Encoding.UTF8, "application/json"), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, malformed.StatusCode);
        StringAssert.Contains(await malformed.Content.ReadAsStringAsync(TestContext.CancellationToken), "\"field\":\"firstCallDays\"");
    }

    [TestMethod]
    public async Task A_person_can_be_exported_then_erased()
    {
        await using var host = await LocalHost.StartAsync(null, workers: false);
        var (serve, http) = (host.App, host.Http);
        var (course, learner) = (TestIds.Next(), TestIds.Next());
        (await http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["learners"] = new JsonArray(new JsonObject { ["id"] = learner, ["email"] = "rgpd@example.org", ["firstName"] = "Aude" }),
            ["enrolments"] = new JsonArray(new JsonObject { ["id"] = learner, ["courseId"] = course, ["learnerId"] = learner, ["start"] = Opening.ToUnixTimeSeconds() }),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        var ledger = serve.Services.GetRequiredService<LedgerStore>();
        var welcome = new SendKey(course, learner, SignalKeys.Welcome, DateOnly.FromDateTime(Opening.Date), 0);
        var claim = await ledger.TryClaimAsync(welcome, Opening, TimeSpan.FromMinutes(2), TestContext.CancellationToken);
        await ledger.MarkFailedAsync(welcome, claim.ETag, Opening, "mailbox full", retryable: false);

        var export = (await http.GetFromJsonAsync<JsonObject>($"api/learners/{learner}/export", TestContext.CancellationToken))!;
        Assert.AreEqual("rgpd@example.org", (string?)export["learner"]!["email"]);
        var courseData = export["courses"]!.AsArray().Single()!;
        Assert.AreEqual(course, (long)courseData["courseId"]!);
        Assert.AreEqual("mailbox full", (string?)courseData["sends"]![0]!["reason"]);

        Assert.AreEqual(HttpStatusCode.NoContent, (await http.DeleteAsync($"api/learners/{learner}", TestContext.CancellationToken)).StatusCode);
        Assert.AreEqual(HttpStatusCode.NotFound, (await http.GetAsync($"api/learners/{learner}/export", TestContext.CancellationToken)).StatusCode);
    }
}
