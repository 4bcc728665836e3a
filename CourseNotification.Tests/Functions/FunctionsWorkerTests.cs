using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using CourseNotification.Cli.Local;
using CourseNotification.Functions.TestHost;
using CourseNotification.Http;
using CourseNotification.Questionnaires;
using CourseNotification.Storage;
using CourseNotification.Tests.EndToEnd;
using CourseNotification.Tests.Http;
using CourseNotification.Tests.Integration;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;
using Microsoft.Extensions.Configuration;

namespace CourseNotification.Tests.Functions;

/// <summary>
/// The deployed app, executed: the built <c>CourseNotification.Functions</c> worker started as the Functions
/// host starts it and driven over the host's own gRPC protocol (<see cref="FunctionsTestHost"/>), against the
/// shared Azurite and maildev. One worker for the class.
/// </summary>
[TestClass]
[TestCategory("functions")]
public sealed class FunctionsWorkerTests
{
    private static FunctionsTestHost _host = null!;
    private static IConfiguration _configuration = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        _configuration = await SharedServices.ConfigurationAsync(
            // Any hour of the day sends: the worker runs on the real clock.
            ("Platform:SendHour", "0"), ("Platform:QuietHoursStart", "0"), ("Platform:QuietHoursEnd", "0"));
        _host = await FunctionsTestHost.StartAsync(FunctionsWorker.Path, FunctionsWorker.Settings(_configuration), context.CancellationToken);
        context.WriteLine($"The worker started and loaded {_host.Functions.Count} functions in {_host.Startup.TotalSeconds:0.0} s.");
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [TestMethod]
    public void Every_function_of_functions_metadata_loads_and_the_worker_serves_http_through_asp_net_core()
    {
        var declared = JsonNode.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(FunctionsWorker.Path)!, "functions.metadata")))!.AsArray()
            .Select(f => (Name: (string)f!["name"]!, Trigger: (string)f["bindings"]![0]!["type"]!)).ToList();
        CollectionAssert.AreEquivalent(declared.Select(d => d.Name).ToArray(), _host.Functions.Keys.ToArray(), "every function of functions.metadata, reported and loaded");
        Assert.AreEqual(declared.Count, _host.Functions.Count);
        CollectionAssert.AreEquivalent(new[] { "HourlyScan", "MoodleSync", "RetentionPurge" }, Names("timerTrigger"));
        CollectionAssert.AreEquivalent(new[] { "DispatchNotification", "ScanCourse" }, Names("queueTrigger"));
        Assert.AreEqual(declared.Count - 5, Names("httpTrigger").Length, "the rest are HTTP triggers");
        CollectionAssert.AreEquivalent(
            RouteTable.All.Select(r => $"{r.Name} {r.Method} {r.Template} {r.HostLevel}").ToArray(),
            _host.Functions.Values.Where(f => f.TriggerType == "httpTrigger")
                .SelectMany(f => f.Trigger("httpTrigger").Raw["methods"]!.AsArray().Select(m => $"{f.Name} {((string)m!).ToUpperInvariant()} {f.Trigger("httpTrigger").Raw["route"]} {f.Trigger("httpTrigger").Raw["authLevel"]}"))
                .ToArray(),
            "the HTTP triggers the worker loaded are the route table's (which the local host maps)");
        Assert.IsTrue(_host.Capabilities.ContainsKey("HttpUri"), "the ASP.NET Core integration reported where it listens");

        string[] Names(string trigger) => [.. _host.Functions.Values.Where(f => f.TriggerType == trigger).Select(f => f.Name)];
    }

    [TestMethod]
    public async Task A_refusal_comes_back_as_problem_json_naming_the_field_with_the_guards_headers()
    {
        var refused = await SendAsync(HttpMethod.Put, "api/snapshots", new StringContent("{not json", Encoding.UTF8, "application/json"));
        Assert.AreEqual("PutSnapshots", refused.Function);
        Assert.AreEqual(HttpStatusCode.BadRequest, refused.Status, refused.Text);
        Assert.AreEqual("application/problem+json", refused.ContentType?.Split(';')[0]);
        var problem = JsonNode.Parse(refused.Text)!;
        Assert.AreEqual("body", (string?)problem["field"]);
        Assert.AreEqual(400, (int?)problem["status"]);
        Assert.AreEqual("nosniff", refused.Headers.GetValueOrDefault("X-Content-Type-Options"), "the worker's guard middleware ran");
        Assert.AreEqual(StatusResult.Types.Status.Success, refused.Invocation.Result.Status, "a refusal is a handled invocation");

        var wrongType = await SendAsync(HttpMethod.Put, "api/snapshots", new StringContent("courses=1", Encoding.UTF8, "text/plain"));
        Assert.AreEqual(HttpStatusCode.UnsupportedMediaType, wrongType.Status, "the guard refuses a body the route does not take");
    }

    [TestMethod]
    public async Task The_openapi_description_comes_back_whole_and_names_every_http_trigger()
    {
        var described = await SendAsync(HttpMethod.Get, "api/openapi.json");
        Assert.AreEqual(HttpStatusCode.OK, described.Status);
        StringAssert.StartsWith(described.ContentType, "application/json");
        var document = JsonNode.Parse(described.Text)!;
        Assert.AreEqual("3.0.3", (string?)document["openapi"]);
        var paths = document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(m => $"{m.Key.ToUpperInvariant()} /{p.Key.TrimStart('/')}")).Order().ToArray();
        var triggers = _host.Functions.Values.Where(f => f.TriggerType == "httpTrigger")
            .SelectMany(f => f.Trigger("httpTrigger").Raw["methods"]!.AsArray().Select(m => $"{((string)m!).ToUpperInvariant()} {OpenApiTests.Normalize("/" + (string)f.Trigger("httpTrigger").Raw["route"]!)}"))
            .Order().ToArray();
        CollectionAssert.AreEqual(triggers, paths, "the loaded HTTP triggers are the described routes");
    }

    [TestMethod]
    public async Task A_learner_opens_the_questionnaire_page_answers_it_and_the_pdf_report_counts_the_answer()
    {
        var course = TestIds.Next();
        var learner = TestIds.Next();
        (await SendAsync(HttpMethod.Put, "api/snapshots", JsonContent.Create(new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Travail en hauteur" }),
            ["learners"] = new JsonArray(new JsonObject { ["id"] = learner, ["email"] = $"q{learner}@example.org", ["lang"] = "fr" }),
            ["enrolments"] = new JsonArray(new JsonObject { ["id"] = learner, ["courseId"] = course, ["learnerId"] = learner }),
        }))).AssertStatus(HttpStatusCode.OK);
        string link;
        await using (var core = await CoreServices.StartAsync())
        {
            var invitation = new Invitation(course, learner, "hot", DateOnly.FromDateTime(DateTime.UtcNow), QuestionnaireCatalog.Hot, "fr", DateTimeOffset.UtcNow.AddDays(30), Test: false);
            link = new Uri((await core.Get<InvitationLinks>().IssueAsync(invitation, TestContext.CancellationToken)).Url).AbsolutePath;
        }

        var page = await SendAsync(HttpMethod.Get, link);
        Assert.AreEqual("GetAnswerPage", page.Function);
        Assert.AreEqual(HttpStatusCode.OK, page.Status, page.Text);
        StringAssert.StartsWith(page.ContentType, "text/html");
        StringAssert.Contains(page.Text, "<form");
        StringAssert.Contains(page.Text, "name=\"overall\"");
        Assert.IsTrue(page.Headers.ContainsKey("Content-Security-Policy"), "the page's security headers came through");

        var answered = await SendAsync(HttpMethod.Post, link, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["objectives"] = "5", ["content"] = "4", ["pace"] = "right", ["trainer"] = "5", ["materials"] = "4", ["overall"] = "5", ["recommend"] = "9", ["comment"] = "Très clair",
        }));
        Assert.AreEqual("PostAnswers", answered.Function);
        Assert.AreEqual(HttpStatusCode.OK, answered.Status, answered.Text);
        StringAssert.StartsWith(answered.ContentType, "text/html");

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var json = await SendAsync(HttpMethod.Get, $"api/reports/qualiopi?courses={course}&from={today}&to={today}&questionnaire={QuestionnaireCatalog.Hot}&format=json");
        Assert.AreEqual(HttpStatusCode.OK, json.Status, json.Text);
        StringAssert.Contains(json.Text, "\"recommend\"");

        var pdf = await SendAsync(HttpMethod.Get, $"api/reports/qualiopi?courses={course}&from={today}&to={today}&questionnaire={QuestionnaireCatalog.Hot}");
        Assert.AreEqual(HttpStatusCode.OK, pdf.Status, pdf.Text);
        Assert.AreEqual("application/pdf", pdf.ContentType);
        StringAssert.Contains(pdf.Headers.GetValueOrDefault("Content-Disposition") ?? "", "attachment");
        Assert.AreEqual("%PDF-", Encoding.ASCII.GetString(pdf.Body, 0, 5));
        Assert.IsTrue(pdf.Body.Length > 10_000, $"a whole PDF, not a stub: {pdf.Body.Length} bytes");
        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf.Body);
        StringAssert.Contains(string.Join(' ', document.GetPages().Select(p => p.Text)), "Travail en hauteur");
    }

    [TestMethod]
    public async Task The_welcome_travels_from_a_moodle_event_through_the_scan_timer_and_both_queues_to_the_inbox()
    {
        var course = TestIds.Next();
        var learner = TestIds.Next();
        var opening = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
        (await SendAsync(HttpMethod.Put, "api/snapshots", JsonContent.Create(new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["shortName"] = "FW", ["fullName"] = "Gestes et postures", ["startDate"] = opening.ToString("O") }),
            ["learners"] = new JsonArray(new JsonObject
            {
                ["id"] = learner, ["username"] = $"user{learner}", ["email"] = Address(learner), ["firstName"] = $"Prénom{learner}", ["lastName"] = "Test", ["lang"] = "fr", ["timeZone"] = "UTC",
            }),
        }))).AssertStatus(HttpStatusCode.OK);
        var pushed = await SendAsync(HttpMethod.Post, "api/moodle/events", JsonContent.Create(new JsonArray(WelcomeSliceTests.EnrolmentCreated(course, learner, opening.AddDays(-3)))));
        Assert.AreEqual("PostMoodleEvents", pushed.Function);
        Assert.AreEqual(HttpStatusCode.Accepted, pushed.Status, pushed.Text);

        var fired = await _host.FireTimerAsync("HourlyScan", DateTimeOffset.UtcNow, isPastDue: false, TestContext.CancellationToken);
        Assert.AreEqual(StatusResult.Types.Status.Success, fired.Result.Status, fired.Result.Exception?.Message);
        var queues = RawQueues();
        var scanned = await _host.DrainQueueAsync(queues, StorageNames.ScanCourseQueue, MaxDequeueCount, TimeSpan.FromSeconds(60), TestContext.CancellationToken);
        Assert.IsTrue(scanned.Succeeded >= 1, $"the course was scanned: {scanned}");
        Assert.AreEqual(0, scanned.Failed, string.Join("; ", scanned.Failures));
        var dispatched = await _host.DrainQueueAsync(queues, StorageNames.NotificationsQueue, MaxDequeueCount, TimeSpan.FromSeconds(60), TestContext.CancellationToken);
        Assert.IsTrue(dispatched.Succeeded >= 1, $"the welcome was dispatched: {dispatched}");

        using var inbox = new MaildevInbox((await SharedServices.MaildevAsync()).WebUrl);
        var mail = (await inbox.WaitForAsync(m => m.To == Address(learner), 1, TimeSpan.FromSeconds(30), TestContext.CancellationToken)).Single();
        Assert.AreEqual($"Bienvenue dans «\u00A0Gestes et postures\u00A0», Prénom{learner}", mail.Subject);
        Assert.AreEqual("fr", mail.ContentLanguage);

        // Exactly once: the timer again, the queues again, nothing more.
        await _host.FireTimerAsync("HourlyScan", DateTimeOffset.UtcNow, isPastDue: true, TestContext.CancellationToken);
        await _host.DrainQueueAsync(queues, StorageNames.ScanCourseQueue, MaxDequeueCount, TimeSpan.FromSeconds(60), TestContext.CancellationToken);
        await _host.DrainQueueAsync(queues, StorageNames.NotificationsQueue, MaxDequeueCount, TimeSpan.FromSeconds(60), TestContext.CancellationToken);
        Assert.AreEqual(1, (await inbox.ReadAsync(TestContext.CancellationToken)).Count(m => m.To == Address(learner)));
    }

    [TestMethod]
    public async Task A_message_that_throws_is_retried_with_its_dequeue_count_and_moved_to_poison_after_the_last_try()
    {
        var queues = RawQueues();
        // What was left by other tests goes first, so that this run is about one message.
        await _host.DrainQueueAsync(queues, StorageNames.NotificationsQueue, MaxDequeueCount, TimeSpan.FromSeconds(60), TestContext.CancellationToken);
        var poison = queues.GetQueueClient(StorageNames.PoisonQueueOf(StorageNames.NotificationsQueue));
        await poison.CreateIfNotExistsAsync(cancellationToken: TestContext.CancellationToken);
        var body = $"{{ not a notification {TestIds.Next()}";
        var notifications = queues.GetQueueClient(StorageNames.NotificationsQueue);
        await notifications.CreateIfNotExistsAsync(cancellationToken: TestContext.CancellationToken);
        var sent = await notifications.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(body)), TestContext.CancellationToken);

        var run = await _host.DrainQueueAsync(queues, StorageNames.NotificationsQueue, MaxDequeueCount, TimeSpan.FromSeconds(60), TestContext.CancellationToken);

        CollectionAssert.AreEqual(new long[] { 1, 2, 3, 4, 5 }, run.Attempts.GetValueOrDefault(sent.Value.MessageId, []).ToArray(), $"each try handed over with its dequeue count: {run}");
        Assert.AreEqual((MaxDequeueCount, 1), (run.Failed, run.Poisoned), string.Join("; ", run.Failures));
        var poisoned = (await poison.ReceiveMessagesAsync(32, cancellationToken: TestContext.CancellationToken)).Value
            .Select(m => Encoding.UTF8.GetString(Convert.FromBase64String(m.MessageText))).ToList();
        CollectionAssert.Contains(poisoned, body, "the message, unchanged, in notifications-poison");
    }

    private const int MaxDequeueCount = 5;

    private static QueueServiceClient RawQueues() => new(_configuration[StorageAccount.SettingName]);

    private async Task<HttpInvocation> SendAsync(HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path.TrimStart('/'), UriKind.Relative)) { Content = content };
        var answer = await _host.SendAsync(request, TestContext.CancellationToken);
        TestContext.WriteLine($"{method} {path} -> {answer.Function}: {(int)answer.Status}");
        return answer;
    }

    private static string Address(long learner) => $"fw{learner}@example.org";
}

/// <summary>Where the worker is built (the test project builds it first) and the app settings a test gives it.</summary>
internal static class FunctionsWorker
{
    public static string Path { get; } = typeof(FunctionsWorker).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "FunctionsWorker").Value!;

    /// <summary>The settings as app settings (environment variables, <c>Section__Key</c>), as the host passes them.</summary>
    public static Dictionary<string, string> Settings(IConfiguration configuration, params (string Key, string? Value)[] changes)
    {
        var settings = configuration.AsEnumerable().Where(s => s.Value is not null).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                settings.Remove(key);
            }
            else
            {
                settings[key] = value;
            }
        }
        return settings;
    }
}

internal static class HttpInvocationAssertions
{
    public static void AssertStatus(this HttpInvocation invocation, HttpStatusCode status) =>
        Assert.AreEqual(status, invocation.Status, $"{invocation.Function}: {invocation.Text}");
}
