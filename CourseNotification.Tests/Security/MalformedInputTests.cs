using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using CourseNotification.Cli.Local;
using CourseNotification.Tests.Integration;

namespace CourseNotification.Tests.Security;

/// <summary>
/// The shapes that once answered 500 with an empty body: each is now a 4xx naming the field (or a 502
/// naming what failed), and changes nothing.
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed class MalformedInputTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Event_pushes_with_broken_json_headers_or_dates_are_refused_naming_the_field()
    {
        await using var host = await LocalHost.StartAsync(null, false, ("Moodle:WebhookToken", "jeton"), ("Moodle:WebhookSecrets", Secret));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        await ExpectAsync(await PostEventsAsync(host.Http, Encoding.UTF8.GetBytes("""{"token":"jeton","eventname":"\\core\\event\\course_viewed","token":"autre"}""")), 400, "body");
        byte[] latin1Token = [.. Encoding.UTF8.GetBytes("""{"eventname":"\\core\\event\\course_viewed","courseid":"1","userid":"2","token":"je"""), 0xE9, .. Encoding.UTF8.GetBytes("\"}")];
        await ExpectAsync(await PostEventsAsync(host.Http, latin1Token), 400, "body");
        var pastYear9999 = new JsonObject { ["token"] = "jeton", ["eventname"] = @"\core\event\course_viewed", ["courseid"] = "1", ["userid"] = "2", ["timecreated"] = "253402300800" };
        await ExpectAsync(await PostEventsAsync(host.Http, Encoding.UTF8.GetBytes(pastYear9999.ToJsonString())), 400, "[0].timecreated");

        var envelope = Encoding.UTF8.GetBytes("""{"event":{"eventname":"\\core\\event\\course_viewed","courseid":"1","userid":"2"}}""");
        await ExpectAsync(await PostEventsAsync(host.Http, envelope, ("webhook-id", "msg_1"), ("webhook-timestamp", "99999999999999"), ("webhook-signature", "v1,AAAA")), 401, "webhook-timestamp");
        await ExpectAsync(await PostEventsAsync(host.Http, envelope, ("webhook-id", new string('m', 2_000)), ("webhook-timestamp", now), ("webhook-signature", "v1,AAAA")), 401, "webhook-id");
    }

    [TestMethod]
    public async Task Ids_with_a_trailing_newline_and_instants_out_of_range_are_refused()
    {
        await using var host = await LocalHost.StartAsync();
        var http = host.Http;
        var course = TestIds.Next();
        (await http.PutAsJsonAsync("api/snapshots", new JsonObject { ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Bornes" }) }, TestContext.CancellationToken)).EnsureSuccessStatusCode();

        await ExpectAsync(await http.PutAsync($"api/courses/{course}/settings", Json(new JsonObject { ["campaigns"] = new JsonArray(new JsonObject { ["id"] = "nl\n" }) }), TestContext.CancellationToken), 400, "campaigns[0].id");
        await ExpectAsync(await http.PutAsync("api/questionnaires/abc%0A", Json(new JsonObject { ["id"] = "abc\n" }), TestContext.CancellationToken), 400, null);
        Assert.AreEqual(HttpStatusCode.OK, (await http.GetAsync($"courses/{course}/status", TestContext.CancellationToken)).StatusCode, "the status page still answers");
        await ExpectAsync(await http.GetAsync($"api/courses/{course}/status?at=0001-01-01", TestContext.CancellationToken), 400, "at");
        await ExpectAsync(await http.GetAsync($"courses/{course}/learners/1/mails/welcome?at=9999-12-31T23:00:00Z", TestContext.CancellationToken), 400, "at");
    }

    [TestMethod]
    public async Task A_learner_address_with_a_display_name_is_refused_and_a_dead_relay_is_a_502()
    {
        await using var host = await LocalHost.StartAsync(null, false, ("Email:Transport", "Smtp"), ("Email:Smtp:Host", "127.0.0.1"), ("Email:Smtp:Port", NodeService.FreePort().ToString(CultureInfo.InvariantCulture)), ("Email:Smtp:Security", "None"));
        var http = host.Http;
        var (course, learner) = (TestIds.Next(), TestIds.Next());
        var upsert = await http.PutAsync("api/snapshots", Json(new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Adresses" }),
            ["learners"] = new JsonArray(
                new JsonObject { ["id"] = learner, ["email"] = "bien@example.org", ["lang"] = "fr" },
                new JsonObject { ["id"] = learner + 1, ["email"] = "Mallory <x@evil.example>" }),
            ["enrolments"] = new JsonArray(new JsonObject { ["id"] = learner, ["courseId"] = course, ["learnerId"] = learner, ["start"] = 1893884400 }),
        }), TestContext.CancellationToken);
        var report = (await upsert.Content.ReadFromJsonAsync<JsonObject>(TestContext.CancellationToken))!;
        Assert.AreEqual("email", (string?)report["rejected"]![0]!["field"], report.ToJsonString());

        // The preview page's form: the answer is a page for the administrator, saying what went wrong.
        var test = await http.PostAsync($"api/courses/{course}/learners/{learner}/mails/welcome/test",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = "admin@example.org" }), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadGateway, test.StatusCode);
        StringAssert.Contains(await test.Content.ReadAsStringAsync(TestContext.CancellationToken), "could not be reached");
        var named = await http.PostAsync($"api/courses/{course}/learners/{learner}/mails/welcome/test",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = "Admin <admin@example.org>" }), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, named.StatusCode);
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private async Task<HttpResponseMessage> PostEventsAsync(HttpClient http, byte[] body, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/moodle/events") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return await http.SendAsync(request, TestContext.CancellationToken);
    }

    private async Task ExpectAsync(HttpResponseMessage response, int status, string? field)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);
        Assert.AreEqual(status, (int)response.StatusCode, text);
        StringAssert.StartsWith(response.Content.Headers.ContentType?.MediaType, "application/problem+json", text);
        if (field is not null)
        {
            Assert.AreEqual(field, (string?)JsonNode.Parse(text)!["field"], text);
        }
    }
}
