using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CourseNotification.Http;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Tests.Security;

/// <summary>
/// Someone trying what they should not: a webhook signed with a secret rotated out; links guessed or
/// pointed at another learner; routes called without a key; markup and template syntax slipped into
/// course and learner names or a course's own text. Each refused, nothing changed.
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed class AbuseTests
{
    private const string OldSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string NewSecret = "whsec_c2Vjb25kLXNlY3JldC1mb3Itcm90YXRpb24=";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task A_webhook_signed_with_a_secret_rotated_out_is_refused_and_applies_nothing()
    {
        await using var host = await LocalHost.StartAsync(null, false, ("Moodle:WebhookSecrets", NewSecret));
        var (course, learner) = (TestIds.Next(), TestIds.Next());
        var now = DateTimeOffset.UtcNow;
        var body = new JsonObject
        {
            ["id"] = $"msg_{learner}", ["type"] = "moodle.event", ["eventname"] = @"\core\event\user_enrolment_created", ["created"] = now.ToString("O"),
            ["event"] = new JsonObject
            {
                ["eventname"] = @"\core\event\user_enrolment_created", ["courseid"] = course.ToString(CultureInfo.InvariantCulture), ["relateduserid"] = learner.ToString(CultureInfo.InvariantCulture),
                ["objectid"] = learner.ToString(CultureInfo.InvariantCulture), ["userid"] = "2", ["timecreated"] = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                ["other"] = new JsonObject { ["enrol"] = "manual" },
            },
        }.ToJsonString();
        var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(OldSecret["whsec_".Length..]), Encoding.UTF8.GetBytes($"msg_{learner}.{timestamp}.{body}")));
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/moodle/events") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", $"msg_{learner}");
        request.Headers.Add("webhook-timestamp", timestamp);
        request.Headers.Add("webhook-signature", $"v1,{signature}");

        var response = await host.Http.SendAsync(request, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.IsNull(await host.App.Services.GetRequiredService<SnapshotStore>().GetAsync(course, learner, TestContext.CancellationToken), "nothing applied");
    }

    [TestMethod]
    public async Task Links_guessed_or_turned_to_another_learner_open_nothing_and_change_nothing()
    {
        await using var host = await LocalHost.StartAsync(null, false, ("Platform:PublicUrl", "http://public.example"));
        var (mine, theirs) = (TestIds.Next(), TestIds.Next());
        (await host.Http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["learners"] = new JsonArray(
                new JsonObject { ["id"] = mine, ["email"] = $"m{mine}@example.org", ["lang"] = "fr" },
                new JsonObject { ["id"] = theirs, ["email"] = $"t{theirs}@example.org", ["lang"] = "fr" }),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        var myLink = await host.App.Services.GetRequiredService<CourseNotification.Enrolments.OptOut>().LinkAsync(mine, TestContext.CancellationToken);
        var myToken = myLink[(myLink.LastIndexOf('/') + 1)..];
        var theirPath = $"u/{theirs}{myToken[myToken.IndexOf('.', StringComparison.Ordinal)..]}";

        Assert.AreEqual(HttpStatusCode.NotFound, (await host.Http.PostAsync(theirPath, null, TestContext.CancellationToken)).StatusCode, "my signature does not open their link");
        var learners = host.App.Services.GetRequiredService<LearnerStore>();
        Assert.IsFalse((await learners.GetAsync(theirs, TestContext.CancellationToken))!.OptedOut, "they are not opted out");

        var random = new Random(12);
        for (var guess = 0; guess < 300; guess++)
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            var token = Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            Assert.AreEqual(HttpStatusCode.NotFound, (await host.Http.PostAsync($"q/{token}", new FormUrlEncodedContent([new("overall", "5")]), TestContext.CancellationToken)).StatusCode);
            Assert.AreEqual(HttpStatusCode.NotFound, (await host.Http.PostAsync($"u/{mine}.{token}", null, TestContext.CancellationToken)).StatusCode);
        }
        Assert.IsFalse((await learners.GetAsync(mine, TestContext.CancellationToken))!.OptedOut, "no guess opted me out");
    }

    [TestMethod]
    public void Every_route_needs_a_key_except_the_learners_links_moodles_signed_ways_in_and_the_public_files()
    {
        // The table is what both hosts serve (OpenApiTests and the worker's tests hold the triggers to it).
        var open = RouteTable.All.Where(r => r.Access == RouteAccess.Anonymous).Select(r => $"{r.Method} {r.Template}").ToArray();
        CollectionAssert.AreEquivalent(
            new[]
            {
                "GET u/{token}", "POST u/{token}", "GET q/{token}", "POST q/{token}", "GET api/openapi.json", "GET assets/settings-editor.js",
                // Moodle's grant door and its signed counts: each checks its own signature.
                "GET courses/{id:long}/enter", "POST api/courses/{id:long}/counts",
            },
            open, "only the learners' links, the description, the editor's script and Moodle's signed ways in are open");
        CollectionAssert.Contains(RouteTable.All.Where(r => r.Access == RouteAccess.Admin).Select(r => r.Template).ToArray(), "api/scan", "running a scan takes the admin key");
    }

    [TestMethod]
    public async Task Markup_and_template_syntax_in_names_stay_text_and_course_texts_reach_no_file_or_setting()
    {
        await using var host = await LocalHost.StartAsync();
        var (course, learner) = (TestIds.Next(), TestIds.Next());
        (await host.Http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "<img src=x onerror=alert(1)> {{> layout}} {{SITENAME}}", ["startDate"] = "2033-03-07T00:00:00+01:00" }),
            ["learners"] = new JsonArray(new JsonObject { ["id"] = learner, ["email"] = $"x{learner}@example.org", ["firstName"] = "{{#each this}}{{@key}}{{/each}}<script>x()</script>", ["lang"] = "fr" }),
            ["enrolments"] = new JsonArray(new JsonObject { ["id"] = learner, ["courseId"] = course, ["learnerId"] = learner, ["start"] = 1994108400 }),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();

        var mail = (await host.Http.GetFromJsonAsync<JsonObject>($"api/courses/{course}/learners/{learner}/mails/welcome?at=2033-03-07T10:00:00%2B01:00", TestContext.CancellationToken))!;
        var html = (string)mail["html"]!;
        StringAssert.Contains(html, "&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; {{&gt; layout}} {{SITENAME}}", "the course name is shown as text, escaped, never run as a template");
        StringAssert.Contains(html, "{{#each this}}{{@key}}{{/each}}&lt;script&gt;", "the learner's name too");
        Assert.IsFalse(html.Contains("<script>", StringComparison.Ordinal) || html.Contains("<img src=x", StringComparison.Ordinal));
        StringAssert.Contains((string)mail["text"]!, "{{#each this}}{{@key}}{{/each}}<script>x()</script>", "the text part shows it as written");

        var settings = host.App.Services.GetRequiredService<CourseSettingsStore>();
        foreach (var text in new[] { "{{> /etc/passwd}}", "{{> ../../appsettings}}", "{{Platform.SiteName}} {{AzureWebJobsStorage}}", "{{lookup this \"AzureWebJobsStorage\"}}{{#with @root}}{{Email}}{{/with}}" })
        {
            var response = await host.Http.PutAsJsonAsync($"api/courses/{course}/settings", new JsonObject
            {
                ["templates"] = new JsonObject { ["welcome"] = new JsonObject { ["fr"] = new JsonObject { ["text"] = text } } },
            }, TestContext.CancellationToken);
            var problem = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                // Accepted only if it renders to nothing of the service's own: no file, no setting.
                var rendered = (string)(await host.Http.GetFromJsonAsync<JsonObject>($"api/courses/{course}/learners/{learner}/mails/welcome?at=2033-03-07T10:00:00%2B01:00", TestContext.CancellationToken))!["text"]!;
                Assert.IsFalse(rendered.Contains("root:", StringComparison.Ordinal) || rendered.Contains("devstoreaccount", StringComparison.Ordinal) || rendered.Contains("AccountKey", StringComparison.Ordinal), $"'{text}' rendered '{rendered}'");
            }
            else
            {
                Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, problem);
                StringAssert.Contains(problem, "templates.welcome.fr", text);
            }
        }
        Assert.IsTrue((await settings.GetAsync(course, TestContext.CancellationToken))?.Templates is null or { Count: <= 1 });
    }
}
