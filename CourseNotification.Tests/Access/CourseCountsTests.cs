using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CourseNotification.Tests.Integration;
using Microsoft.Extensions.Time.Testing;

namespace CourseNotification.Tests.Access;

/// <summary>
/// The counts Moodle's block shows, over real HTTP: answered to a call signed like the plugin's webhooks,
/// per enabled signal (due with names, scheduled this week, sent, failed); refused unsigned, signed with
/// another secret, stale, or naming another course than the path, without the key being needed.
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed class CourseCountsTests
{
    private const string Key = "counts-key-0123456789abcdef";

    public TestContext TestContext { get; set; } = null!;

    internal static HttpRequestMessage Signed(string secret, long pathCourse, string body, DateTimeOffset? at = null)
    {
        var id = "msg_" + Guid.NewGuid().ToString("N");
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var request = new HttpRequestMessage(HttpMethod.Post, $"api/courses/{pathCourse}/counts") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp);
        request.Headers.Add("webhook-signature", "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"))));
        return request;
    }

    [TestMethod]
    public async Task A_signed_call_gets_the_counts_per_signal_and_any_other_is_refused()
    {
        var secret = Grants.NewSecret();
        // Ten hours after the course opened (Paris), the welcome is due to everyone who has not come in yet.
        var opening = new DateTimeOffset(2037, 9, 7, 0, 0, 0, TimeSpan.FromHours(2));
        var now = opening.AddHours(10);
        await using var host = await LocalHost.StartAsync(new FakeTimeProvider(now), false, ("Serve:Key", Key), ("Moodle:WebhookSecrets", secret));
        var course = TestIds.Next();
        var learners = Enumerable.Range(0, 25).Select(_ => TestIds.Next()).ToList();
        using (var seed = new HttpRequestMessage(HttpMethod.Put, "api/snapshots")
        {
            Content = JsonContent.Create(new JsonObject
            {
                ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Sécurité au travail", ["startDate"] = opening.ToString("O") }),
                ["learners"] = new JsonArray([.. learners.Select((l, i) => new JsonObject { ["id"] = l, ["email"] = $"l{l}@example.org", ["firstName"] = "Léa", ["lastName"] = $"Martin{i:00}", ["lang"] = "fr", ["timeZone"] = "Europe/Paris" })]),
                ["enrolments"] = new JsonArray([.. learners.Select(l => new JsonObject { ["id"] = l, ["courseId"] = course, ["learnerId"] = l, ["start"] = opening.ToUnixTimeSeconds(), ["roles"] = new JsonArray("student") })]),
            }),
        })
        {
            seed.Headers.Add("x-functions-key", Key);
            (await host.Http.SendAsync(seed, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        }
        var body = $"{{\"course\":{course}}}";

        using var answer = await host.Http.SendAsync(Signed(secret, course, body, now), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, answer.StatusCode, await answer.Content.ReadAsStringAsync(TestContext.CancellationToken));
        var counts = (await answer.Content.ReadFromJsonAsync<JsonObject>(TestContext.CancellationToken))!;
        Assert.AreEqual(course, (long)counts["courseId"]!);
        Assert.AreEqual("Sécurité au travail", (string?)counts["courseName"]);
        var status = (await host.Http.GetFromJsonAsync<JsonObject>($"api/courses/{course}/status?code={Key}&pageSize=1&at={Uri.EscapeDataString(now.ToString("O"))}", TestContext.CancellationToken))!;
        var signals = counts["signals"]!.AsArray();
        CollectionAssert.AreEqual(status["signals"]!.AsArray().Select(s => (string?)s).ToArray(), signals.Select(s => (string?)s!["signal"]).ToArray(), "one entry per enabled signal, as the status grid's columns");
        foreach (var signal in signals)
        {
            var totals = status["totals"]![(string)signal!["signal"]!]!;
            Assert.AreEqual((int?)totals["due"] ?? 0, (int)signal["due"]!, $"{signal["signal"]}: due as the status page counts it");
            Assert.AreEqual((int?)totals["sent"] ?? 0, (int)signal["sent"]!);
            Assert.AreEqual((int?)totals["failed"] ?? 0, (int)signal["failed"]!);
            Assert.IsTrue((int)signal["scheduledThisWeek"]! <= ((int?)totals["scheduled"] ?? 0));
            Assert.AreEqual(Math.Min(20, (int)signal["due"]!), signal["dueNames"]!.AsArray().Count, "at most 20 names for the hover");
        }
        var due = signals.FirstOrDefault(s => (int)s!["due"]! > 0);
        Assert.IsNotNull(due, counts.ToJsonString());
        Assert.AreEqual(25, (int)due!["due"]!, $"the 25 learners who never came are due one reminder: {counts}");
        Assert.AreEqual("Léa Martin00", (string?)due["dueNames"]![0], "names as Moodle shows them, first name first");

        var refusals = new (string What, HttpRequestMessage Request, HttpStatusCode Status, string Field)[]
        {
            ("unsigned", new HttpRequestMessage(HttpMethod.Post, $"api/courses/{course}/counts") { Content = new StringContent(body, Encoding.UTF8, "application/json") }, HttpStatusCode.Unauthorized, "webhook-signature"),
            ("signed with another secret", Signed(Grants.NewSecret(), course, body, now), HttpStatusCode.Unauthorized, "webhook-signature"),
            ("signed ten minutes ago", Signed(secret, course, body, now.AddMinutes(-10)), HttpStatusCode.Unauthorized, "webhook-timestamp"),
            ("a body naming another course", Signed(secret, course, $"{{\"course\":{course + 1}}}", now), HttpStatusCode.BadRequest, "course"),
            ("signed for one course, sent to another's path", Signed(secret, course + 1, body, now), HttpStatusCode.BadRequest, "course"),
        };
        foreach (var (what, request, expected, field) in refusals)
        {
            using (request)
            using (var response = await host.Http.SendAsync(request, TestContext.CancellationToken))
            {
                var text = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);
                Assert.AreEqual(expected, response.StatusCode, $"{what}: {text}");
                Assert.AreEqual(field, (string?)JsonNode.Parse(text)!["field"], what);
            }
        }
    }
}
