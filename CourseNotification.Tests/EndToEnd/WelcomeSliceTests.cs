using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CourseNotification.Tests.Cli;
using CourseNotification.Cli.Hosting;
using CourseNotification.Cli.Local;
using CourseNotification.Tests.Integration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Tests.EndToEnd;

/// <summary>
/// The thin slice through real HTTP against <c>serve</c>: a Moodle enrolment goes in, <c>cn scan --at</c>
/// runs, the host's queue workers dispatch, and the welcome arrives in maildev's inbox.
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed partial class WelcomeSliceTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task An_enrolment_pushed_over_http_becomes_a_welcome_mail_in_the_learners_language()
    {
        await using var moodle = await FakeMoodleSite.StartAsync();
        var opening = new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.FromHours(1));
        // 15:10 in London, 10:10 in Toronto: after the send hour and outside quiet hours for both learners.
        var scanAt = new DateTimeOffset(2027, 3, 1, 15, 10, 0, TimeSpan.Zero);
        var clock = new ShiftableClock(scanAt);
        await using var host = await LocalHost.StartAsync(clock, workers: true, ("Platform:MoodleUrl", moodle.Url.ToString().TrimEnd('/')));
        var (serve, http, configuration) = (host.App, host.Http, host.Configuration);

        var (course, french, english, teacher) = (TestIds.Next(), TestIds.Next(), TestIds.Next(), TestIds.Next());
        var upsert = await http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["shortName"] = "E2E", ["fullName"] = "Gestes et postures", ["startDate"] = opening.ToString("O") }),
            ["learners"] = new JsonArray(
                Person(french, "fr_ca", "America/Toronto"),
                Person(english, "en", "Europe/London"),
                Person(teacher, "fr", "99")),
            ["enrolments"] = new JsonArray(new JsonObject { ["id"] = TestIds.Next(), ["courseId"] = course, ["learnerId"] = teacher, ["roles"] = new JsonArray("editingteacher") }),
        }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, upsert.StatusCode);

        var events = new JsonArray(EnrolmentCreated(course, french, opening.AddDays(-3)), EnrolmentCreated(course, english, opening.AddDays(-3)));
        var pushed = await http.PostAsJsonAsync("api/moodle/events", events, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Accepted, pushed.StatusCode);

        // The scan verb, invoked as on the command line, against the same storage.
        var exit = await InProcessCli.RunAsync(["scan", "--at", scanAt.ToString("O"), $"AzureWebJobsStorage={configuration["AzureWebJobsStorage"]}"]);
        Assert.AreEqual(0, exit);

        using var inbox = new MaildevInbox((await SharedServices.MaildevAsync()).WebUrl);
        var mails = await inbox.WaitForAsync(m => m.To == Address(french) || m.To == Address(english), 2, TimeSpan.FromSeconds(60), TestContext.CancellationToken);
        var frenchMail = mails.Single(m => m.To == Address(french));
        Assert.AreEqual($"Bienvenue dans «\u00A0Gestes et postures\u00A0», Prénom{french}", frenchMail.Subject);
        Assert.AreEqual("fr", frenchMail.ContentLanguage);
        // Midnight in Paris is 18:00 the day before in Toronto: her course opened on Sunday 28 February.
        StringAssert.Contains(frenchMail.Text, "dimanche 28 février 2027", "the date in the learner's culture and time zone");
        var englishMail = mails.Single(m => m.To == Address(english));
        Assert.AreEqual($"Welcome to \"Gestes et postures\", Prénom{english}", englishMail.Subject);
        Assert.AreEqual("en", englishMail.ContentLanguage);
        StringAssert.Contains(englishMail.Html, "Start the course");
        Assert.IsFalse((await inbox.ReadAsync(TestContext.CancellationToken)).Any(m => m.To == Address(teacher)), "teachers get no learner signal");

        // The course link in the mail works: follow it to the (fake) Moodle site.
        var link = CourseLink().Match(frenchMail.Text).Value;
        Assert.AreEqual($"{moodle.Url}course/view.php?id={course}", link);
        var page = await http.GetStringAsync(link, TestContext.CancellationToken);
        StringAssert.Contains(page, $"Course {course}");

        // Exactly once: scanning again the same hour sends nothing more.
        Assert.AreEqual(0, await InProcessCli.RunAsync(["scan", "--at", scanAt.AddMinutes(30).ToString("O"), $"AzureWebJobsStorage={configuration["AzureWebJobsStorage"]}"]));
        Assert.IsTrue(await serve.Services.GetRequiredService<Pipeline>().WaitUntilEmptyAsync(TimeSpan.FromSeconds(30), TestContext.CancellationToken), "The queues did not empty.");
        Assert.AreEqual(2, (await inbox.ReadAsync(TestContext.CancellationToken)).Count(m => m.To == Address(french) || m.To == Address(english)));
    }

    [TestMethod]
    public async Task Bad_input_gets_problem_json_naming_the_field_and_changes_nothing()
    {
        await using var host = await LocalHost.StartAsync(null, workers: false, ("Moodle:WebhookToken", "s3cret,rotated"));
        var (serve, http) = (host.App, host.Http);
        var (course, learner) = (TestIds.Next(), TestIds.Next());

        await AssertProblemAsync(await http.PutAsync("api/snapshots", new StringContent("{not json", null, "application/json"), TestContext.CancellationToken), 400, "body");
        await AssertProblemAsync(await http.PutAsJsonAsync("api/snapshots", new JsonObject { ["courses"] = "12" }, TestContext.CancellationToken), 400, "courses");

        var unsigned = EnrolmentCreated(course, learner, DateTimeOffset.UtcNow);
        await AssertProblemAsync(await http.PostAsJsonAsync("api/moodle/events", unsigned, TestContext.CancellationToken), 401, "[0].token");
        unsigned["token"] = "wrong";
        await AssertProblemAsync(await http.PostAsJsonAsync("api/moodle/events", unsigned, TestContext.CancellationToken), 403, "[0].token");

        var good = EnrolmentCreated(course, learner, DateTimeOffset.UtcNow);
        good["token"] = "rotated";
        var bad = EnrolmentCreated(course, learner, DateTimeOffset.UtcNow);
        bad["token"] = "s3cret";
        bad["relateduserid"] = "someone";
        await AssertProblemAsync(await http.PostAsJsonAsync("api/moodle/events", new JsonArray(good, bad), TestContext.CancellationToken), 400, "[1].relateduserid");
        var snapshots = serve.Services.GetRequiredService<CourseNotification.Storage.SnapshotStore>();
        Assert.IsNull(await snapshots.GetAsync(course, learner, TestContext.CancellationToken), "a refused batch stores nothing, not even its good event");

        var accepted = await http.PostAsJsonAsync("api/moodle/events", good.DeepClone(), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.IsNotNull(await snapshots.GetAsync(course, learner, TestContext.CancellationToken));
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, int status, string field)
    {
        Assert.AreEqual(status, (int)response.StatusCode);
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.AreEqual(field, problem["field"]?.GetValue<string>());
        Assert.IsFalse(string.IsNullOrEmpty(problem["detail"]?.GetValue<string>()));
    }

    private static string Address(long learner) => $"learner{learner}@example.org";

    private static JsonObject Person(long id, string lang, string zone) => new()
    {
        ["id"] = id,
        ["username"] = $"user{id}",
        ["email"] = Address(id),
        ["firstName"] = $"Prénom{id}",
        ["lastName"] = "Test",
        ["lang"] = lang,
        ["timeZone"] = zone,
    };

    /// <summary>As Moodle's get_data() serialises it: numbers as strings, the method in other.enrol.</summary>
    internal static JsonObject EnrolmentCreated(long course, long learner, DateTimeOffset created) => new()
    {
        ["eventname"] = @"\core\event\user_enrolment_created",
        ["component"] = "core",
        ["action"] = "created",
        ["target"] = "user_enrolment",
        ["objecttable"] = "user_enrolments",
        ["objectid"] = TestIds.Next().ToString(CultureInfo.InvariantCulture),
        ["crud"] = "c",
        ["edulevel"] = "0",
        ["contextid"] = "1234",
        ["contextlevel"] = "50",
        ["contextinstanceid"] = course.ToString(CultureInfo.InvariantCulture),
        ["userid"] = "2",
        ["courseid"] = course.ToString(CultureInfo.InvariantCulture),
        ["relateduserid"] = learner.ToString(CultureInfo.InvariantCulture),
        ["anonymous"] = "0",
        ["other"] = new JsonObject { ["enrol"] = "manual" },
        ["timecreated"] = created.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
    };

    [GeneratedRegex(@"http://\S+/course/view\.php\?id=\d+")]
    private static partial Regex CourseLink();
}
