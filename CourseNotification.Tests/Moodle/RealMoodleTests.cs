using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CourseNotification.Cli.Hosting;
using CourseNotification.Cli.Local;
using CourseNotification.Enrolments;
using CourseNotification.Signals;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;
using CourseNotification.Tests.Security;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Tests.Moodle;

/// <summary>
/// The real-Moodle tier: a real Moodle 4.5 with local_coursenotification (named by <c>MOODLE_URL</c>,
/// <c>MOODLE_WWW</c> its www folder, <c>MOODLE_TOKEN</c>, <c>MOODLE_PHP</c> optional) posts to a local
/// <c>serve</c>; scenario steps are played through Moodle's own APIs (moodle/scenarios), the plugin's
/// delivery is run, and after each step the service's snapshots must say what Moodle's tables say.
/// Skipped (inconclusive, with the reason) where no Moodle is reachable, as in CI.
/// </summary>
[TestClass]
[TestCategory("Moodle")]
public sealed class RealMoodleTests
{
    public TestContext TestContext { get; set; } = null!;

    private static string? Url => Environment.GetEnvironmentVariable("MOODLE_URL");

    private static string? Www => Environment.GetEnvironmentVariable("MOODLE_WWW");

    private int _steps;
    private int _checks;

    /// <summary>Inconclusive unless the variables name a Moodle that answers and PHP is there.</summary>
    private async Task RequireMoodleAsync()
    {
        if (string.IsNullOrEmpty(Url) || string.IsNullOrEmpty(Www) || string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MOODLE_TOKEN")))
        {
            Assert.Inconclusive("Moodle tier skipped: set MOODLE_URL, MOODLE_WWW (its www folder) and MOODLE_TOKEN (MOODLE_PHP optional) to a real Moodle 4.5 with local_coursenotification; CI has none.");
        }
        if (MoodlePhp.Binary is null || !File.Exists(Path.Combine(Www, "local", "coursenotification", "version.php")))
        {
            Assert.Inconclusive($"Moodle tier skipped: php not found, or local_coursenotification not installed under {Www}.");
        }
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            using var response = await http.GetAsync(new Uri(Url), TestContext.CancellationToken);
        }
        catch (HttpRequestException e)
        {
            Assert.Inconclusive($"Moodle tier skipped: {Url} cannot be reached ({e.Message}).");
        }
    }

    /// <summary>Runs a scenario script; its JSON answer, which must say ok.</summary>
    private async Task<JsonObject> PhpAsync(string script, params string[] arguments)
    {
        var (code, output, errors) = await MoodlePhp.RunAsync(
            ["-d", "max_input_vars=5000", Path.Combine(MoodlePhp.Folder, "scenarios", script), .. arguments],
            new Dictionary<string, string> { ["MOODLE_WWW"] = Www! }, TestContext.CancellationToken);
        var json = output.IndexOf('{', StringComparison.Ordinal) is var at and >= 0 ? JsonNode.Parse(output[at..]) as JsonObject : null;
        if (code != 0 || json?["ok"]?.GetValue<bool>() != true)
        {
            Assert.Fail($"{script} {string.Join(' ', arguments)} failed ({code}): {output} {errors}");
        }
        return json!;
    }

    private async Task<JsonObject> StepAsync(string action, long course, string users, params string[] more)
    {
        _steps++;
        return await PhpAsync("step.php", [$"--action={action}", $"--course={course}", $"--users={users}", .. more]);
    }

    private async Task<JsonObject> DeliverAsync(bool retry = false) => await PhpAsync("deliver.php", retry ? ["--retry"] : []);

    private static async Task<LocalHost> StartServiceAsync(string secret) =>
        await LocalHost.StartAsync(null, false, ("Moodle:WebhookSecrets", secret), ("Moodle:Url", Url!), ("Moodle:Token", Environment.GetEnvironmentVariable("MOODLE_TOKEN")!));

    private async Task PointAtAsync(LocalHost host) =>
        await PhpAsync("configure.php", $"--url={host.Http.BaseAddress}api/moodle/events", "--allow-loopback");

    [TestMethod]
    public async Task A_real_Moodle_and_serve_agree_after_every_scenario_step()
    {
        await RequireMoodleAsync();
        var watch = Stopwatch.StartNew();
        var settings = await PhpAsync("configure.php");
        var (secret, previousUrl) = ((string)settings["secret"]!, (string)settings["url"]!);
        LocalHost? host = await StartServiceAsync(secret);
        try
        {
            await PointAtAsync(host);
            await DeliverAsync(retry: true); // Whatever waited from earlier runs, so each step below delivers its own.
            var tag = "cnt" + DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)[^8..];
            var course = await PhpAsync("course.php", $"--tag={tag}", "--startdays=-10", "--enddays=50");
            var courseId = (long)course["courseId"]!;
            var cmid = (long)course["pageCmid"]!;
            var ana = (long)(await PhpAsync("user.php", $"--username={tag}ana", "--lang=fr", "--timezone=Europe/Paris"))["users"]![0]!["id"]!;
            var ben = (long)(await PhpAsync("user.php", $"--username={tag}ben", "--lang=en", "--timezone=99"))["users"]![0]!["id"]!;
            var both = $"{ana},{ben}";

            await StepAsync("enrol", courseId, both, "--startdays=-1", "--enddays=30");
            await DeliverAndCompareAsync(host, courseId, "enrol with dates");

            await StepAsync("update", courseId, $"{ana}", "--enddays=40"); // Before the course end (day 50): the end reminders must follow it.
            await DeliverAndCompareAsync(host, courseId, "extend an end date");

            await StepAsync("suspend", courseId, $"{ben}");
            await DeliverAndCompareAsync(host, courseId, "suspend");
            await StepAsync("unsuspend", courseId, $"{ben}");
            await DeliverAndCompareAsync(host, courseId, "unsuspend");

            await StepAsync("view", courseId, $"{ana}", $"--cmid={cmid}");
            await DeliverAndCompareAsync(host, courseId, "view an activity");

            await StepAsync("complete", courseId, $"{ana}", $"--cmid={cmid}");
            await DeliverAndCompareAsync(host, courseId, "complete");

            await StepAsync("profile", courseId, $"{ben}", "--lang=fr", "--timezone=America/Montreal");
            await DeliverAndCompareAsync(host, courseId, "change language and zone");

            // The service stops: Moodle keeps the rows, and delivers them once it is back.
            await host.DisposeAsync();
            host = null;
            await StepAsync("unenrol", courseId, $"{ben}");
            await StepAsync("update", courseId, $"{ana}", "--enddays=90");
            var down = await DeliverAsync();
            Assert.IsGreaterThan(0, (int)down["after"]!["outbox"]!["total"]!, "with the service down, the rows wait: " + down.ToJsonString());
            host = await StartServiceAsync(secret);
            await PointAtAsync(host);
            await DeliverAndCompareAsync(host, courseId, "service stopped and restarted", retry: true);

            await StepAsync("deleteuser", courseId, $"{ana}");
            await DeliverAndCompareAsync(host, courseId, "delete a user");
            Assert.IsNull(await host.App.Services.GetRequiredService<LearnerStore>().GetAsync(ana, TestContext.CancellationToken), "the deleted person is erased");
            Assert.IsNull(await host.App.Services.GetRequiredService<SnapshotStore>().GetAsync(courseId, ana, TestContext.CancellationToken));

            var status = await PhpAsync("status.php");
            Assert.AreEqual(0, (int)status["outbox"]!["total"]!, "nothing left in the outbox: " + status.ToJsonString());
            TestContext.WriteLine($"Moodle tier: {_steps} steps, {_checks} checks against Moodle's truth, {watch.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
            await PhpAsync("configure.php", $"--url={previousUrl}");
        }
    }

    /// <summary>
    /// Issue 21's "done when", on a real Moodle: the teacher (Moodle language French) sees the block with the counts,
    /// follows its link (the only way in: the service has a key, the session comes from the grant), gets the editor
    /// in French, previews a changed welcome subject for the student, saves it (recorded with their Moodle name and
    /// id), and the next scan sends the student's welcome with it, once; the same session opens no page of another
    /// course. A student sees no block and never reaches the service.
    /// </summary>
    [TestMethod]
    public async Task A_teacher_follows_the_block_into_the_service_edits_the_welcome_with_a_preview_the_next_mail_carries_it_and_no_other_course_opens_and_a_student_does_not_get_in()
    {
        await RequireMoodleAsync();
        if (!File.Exists(Path.Combine(Www!, "blocks", "coursenotification", "version.php")))
        {
            Assert.Inconclusive($"Moodle tier skipped: block_coursenotification not installed under {Www}.");
        }
        var watch = Stopwatch.StartNew();
        var settings = await PhpAsync("configure.php");
        var (secret, previousUrl) = ((string)settings["secret"]!, (string)settings["url"]!);
        // With a key, as anywhere but a developer's loopback: only the teacher's session can open the course's pages.
        // Its own Azurite, so the scan below sees this test's courses only; the queue workers send to maildev.
        // Send hour 0 and no quiet hours: the welcome is due whatever the hour the tier runs at. No hourly scan
        // (the host runs on the real clock): only this test's scans send, so the mail can only go out after the save.
        const string key = "moodle-tier-key-0123456789";
        await using var host = await LocalHost.StartOnOwnStorageAsync(TimeProvider.System, ("Serve:Key", key), ("Moodle:WebhookSecrets", secret), ("Moodle:Url", Url!),
            ("Moodle:Token", Environment.GetEnvironmentVariable("MOODLE_TOKEN")!), ("Platform:SendHour", "0"), ("Platform:QuietHoursStart", "0"), ("Platform:QuietHoursEnd", "0"),
            ("Serve:HourlyScan", "false"));
        host.Http.DefaultRequestHeaders.Add("x-functions-key", key);
        try
        {
            await PhpAsync("configure.php", $"--url={host.Http.BaseAddress}api/moodle/events?code={key}", "--allow-loopback");
            await DeliverAsync(retry: true);
            var tag = "blk" + DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)[^8..];
            var course = await PhpAsync("course.php", $"--tag={tag}", "--startdays=-10", "--enddays=50");
            var courseId = (long)course["courseId"]!;
            var otherId = (long)(await PhpAsync("course.php", $"--tag={tag}x", "--startdays=-10", "--enddays=50"))["courseId"]!;
            var teacher = (long)(await PhpAsync("user.php", $"--username={tag}teacher", "--firstname=Tina", "--lastname=Teacher", "--lang=fr"))["users"]![0]!["id"]!;
            var student = (long)(await PhpAsync("user.php", $"--username={tag}student", "--firstname=Nadia", "--lang=fr", "--timezone=Europe/Paris"))["users"]![0]!["id"]!;
            await StepAsync("enrol", courseId, $"{teacher}", "--role=editingteacher", "--startdays=-1");
            await StepAsync("enrol", courseId, $"{student}", "--startdays=-1", "--enddays=30");
            // Someone else in the other course, so the service knows it too.
            var outsider = (long)(await PhpAsync("user.php", $"--username={tag}outsider", "--firstname=Omar", "--lang=fr", "--timezone=Europe/Paris"))["users"]![0]!["id"]!;
            await StepAsync("enrol", otherId, $"{outsider}", "--startdays=-1", "--enddays=30");
            await DeliverAsync();
            await PhpAsync("block.php", $"--course={courseId}");
            var setup = watch.Elapsed.TotalSeconds;

            // The teacher, logged in over HTTP like a browser whose own language is English: the block with the counts, and its link.
            using var asTeacher = await MoodleSessionAsync($"{tag}teacher");
            asTeacher.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
            var coursePage = await asTeacher.GetStringAsync($"course/view.php?id={courseId}", TestContext.CancellationToken);
            StringAssert.Contains(coursePage, "block_coursenotification", "the teacher sees the block");
            StringAssert.Contains(coursePage, "data-signal=\"welcome\"", "with a line per signal, from the service");
            var welcomeLine = System.Text.RegularExpressions.Regex.Match(coursePage, "<li[^>]*data-signal=\"welcome\"[^>]*>(.*?)</li>", System.Text.RegularExpressions.RegexOptions.Singleline).Groups[1].Value;
            StringAssert.Contains(welcomeLine, "1 à envoyer", "the welcome's counts, in the teacher's French (the plugin's strings): the student's is due");
            StringAssert.Contains(welcomeLine, $"title=\"Nadia {tag}student\"", "her name on hover");
            StringAssert.Contains(coursePage, $"/local/coursenotification/enter.php?id={courseId}", "and the link to the service's pages");
            var entered = await asTeacher.GetAsync($"local/coursenotification/enter.php?id={courseId}", TestContext.CancellationToken);
            var landed = entered.RequestMessage!.RequestUri!;
            var page = await entered.Content.ReadAsStringAsync(TestContext.CancellationToken);
            Assert.AreEqual(HttpStatusCode.OK, entered.StatusCode, page);
            Assert.AreEqual($"{host.Http.BaseAddress!.Authority}/courses/{courseId}/status", $"{landed.Authority}{landed.AbsolutePath}", "Moodle's link lands on the course's status page, grant redeemed");
            Assert.DoesNotContain("code=", landed.Query, "no key in the address");
            StringAssert.Contains(page, $"Scenario course {tag}");
            StringAssert.Contains(page, "Nadia", "the student's row is in the grid");
            var entering = Stopwatch.StartNew();

            // The welcome is due for the student (enrolled from yesterday, never came in).
            Assert.AreEqual("due", await WelcomeStateAsync(host, courseId, student), "the welcome waits for the next scan");

            // The editor, in the teacher's Moodle language (the grant's), not the client's.
            var service = new Uri(host.Http.BaseAddress!, "/");
            var origin = service.GetLeftPart(UriPartial.Authority);
            var editor = await asTeacher.GetAsync(new Uri(service, $"courses/{courseId}/settings"), TestContext.CancellationToken);
            var editorPage = await editor.Content.ReadAsStringAsync(TestContext.CancellationToken);
            Assert.AreEqual(HttpStatusCode.OK, editor.StatusCode, editorPage);
            StringAssert.Contains(editorPage, "<html lang=\"fr\"", "the editor follows the teacher's Moodle language");
            var form = EditorForm(editorPage);
            Assert.AreEqual("welcome", form["texts"], "the editor opens on the welcome's texts");
            Assert.IsTrue(form.ContainsKey("enabled"), "the course is on");

            // The preview, as the page's script asks for it, for the student: the changed subject with her first name.
            const string subject = "{{firstName}}, votre place est prête dans {{courseName}}";
            var expected = $"Nadia, votre place est prête dans Scenario course {tag}";
            form["fr.subject"] = subject;
            form["previewLearner"] = student.ToString(CultureInfo.InvariantCulture);
            using var previewed = await PostFormAsync(asTeacher, new Uri(service, $"courses/{courseId}/settings/preview"), origin, form);
            var preview = await previewed.Content.ReadAsStringAsync(TestContext.CancellationToken);
            Assert.AreEqual(HttpStatusCode.OK, previewed.StatusCode, preview);
            var previewJson = JsonNode.Parse(preview)!;
            Assert.AreEqual(expected, (string?)previewJson["preview"]?["subject"], "the preview of the student's mail: " + preview);
            Assert.AreEqual(0, previewJson["problems"]!.AsArray().Count, preview);
            Assert.IsNull((await CourseSettingsAsync(host, courseId))["templates"], "a preview saves nothing");

            // Saved with the form's own button: the page shows who changed what, and the service keeps it.
            var action = System.Text.RegularExpressions.Regex.Match(editorPage, "<form method=\"post\" action=\"([^\"]+)\"").Groups[1].Value;
            Assert.AreEqual($"/courses/{courseId}/settings", WebUtility.HtmlDecode(action), "the form posts to the editor, no key in it");
            form["action"] = "save";
            using var saved = await PostFormAsync(asTeacher, new Uri(service, WebUtility.HtmlDecode(action)), origin, form);
            var savedPage = await saved.Content.ReadAsStringAsync(TestContext.CancellationToken);
            Assert.AreEqual(HttpStatusCode.OK, saved.StatusCode, savedPage);
            Assert.AreEqual($"/courses/{courseId}/settings", saved.RequestMessage!.RequestUri!.AbsolutePath, "back on the editor after saving");
            StringAssert.Contains(saved.RequestMessage.RequestUri.Query, "saved=1");
            StringAssert.Contains(savedPage, "<html lang=\"fr\"");
            var changes = System.Text.RegularExpressions.Regex.Match(savedPage, "<ul class=\"changes\">(.*?)</ul>", System.Text.RegularExpressions.RegexOptions.Singleline).Groups[1].Value;
            StringAssert.Contains(changes, $"Tina Teacher (Moodle user {teacher})", "the change is recorded with the teacher's Moodle name and id: " + changes);
            StringAssert.Contains(changes, "templates.welcome.fr.subject");
            Assert.AreEqual(subject, WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(savedPage, "name=\"fr\\.subject\" value=\"([^\"]*)\"").Groups[1].Value), "the saved subject shown");
            Assert.AreEqual(subject, (string?)(await CourseSettingsAsync(host, courseId))["templates"]!["welcome"]!["fr"]!["subject"]);
            Assert.AreEqual(true, (bool?)(await CourseSettingsAsync(host, courseId))["enabled"] ?? true, "the rest of the form kept as it was");

            // The next scan sends the student's welcome with the new subject, once (a second scan sends nothing more).
            using var inbox = new MaildevInbox((await SharedServices.MaildevAsync()).WebUrl);
            var address = $"{tag}student@example.com";
            Assert.IsEmpty((await inbox.ReadAsync(TestContext.CancellationToken)).Where(m => m.To == address).ToList(), "nothing sent before the scan");
            await ScanAndDrainAsync(host);
            var mail = (await inbox.WaitForAsync(m => m.To == address, 1, TimeSpan.FromSeconds(30), TestContext.CancellationToken)).Single();
            Assert.AreEqual(expected, mail.Subject, "the next mail carries the teacher's subject");
            await ScanAndDrainAsync(host);
            Assert.HasCount(1, (await inbox.ReadAsync(TestContext.CancellationToken)).Where(m => m.To == address).ToList(), "sent once");
            Assert.AreEqual("sent", await WelcomeStateAsync(host, courseId, student));

            // The same session opens no page of another course, reads or changes nothing there; Moodle does not let the teacher in either.
            foreach (var path in new[] { $"courses/{otherId}/settings", $"courses/{otherId}/status", $"api/courses/{otherId}/status", $"api/courses/{otherId}/settings" })
            {
                using var refusedElsewhere = await asTeacher.GetAsync(new Uri(service, path), TestContext.CancellationToken);
                Assert.AreEqual(HttpStatusCode.Unauthorized, refusedElsewhere.StatusCode, path);
                Assert.DoesNotContain($"Scenario course {tag}x", await refusedElsewhere.Content.ReadAsStringAsync(TestContext.CancellationToken), path);
            }
            var otherForm = new Dictionary<string, string>(form) { ["action"] = "save", ["fr.subject"] = "Pas pour vous {{firstName}}" };
            using var postedElsewhere = await PostFormAsync(asTeacher, new Uri(service, $"courses/{otherId}/settings"), origin, otherForm);
            Assert.AreEqual(HttpStatusCode.Unauthorized, postedElsewhere.StatusCode);
            Assert.IsNull((await CourseSettingsAsync(host, otherId))["templates"], "the other course's settings are untouched");
            var notEnrolled = await asTeacher.GetAsync($"local/coursenotification/enter.php?id={otherId}", TestContext.CancellationToken);
            Assert.AreEqual(new Uri(Url!).Authority, notEnrolled.RequestMessage!.RequestUri!.Authority, "Moodle mints no grant for a course the teacher is not in");
            var chain = entering.Elapsed.TotalSeconds;

            // The student: no block, no link, and the door refuses them.
            using var asStudent = await MoodleSessionAsync($"{tag}student");
            var studentPage = await asStudent.GetStringAsync($"course/view.php?id={courseId}", TestContext.CancellationToken);
            StringAssert.Contains(studentPage, $"Scenario course {tag}", "the student is on the course page");
            Assert.DoesNotContain("block_coursenotification", studentPage, "no block for a student");
            Assert.DoesNotContain("local/coursenotification/enter.php", studentPage, "no link either");
            var refused = await asStudent.GetAsync($"local/coursenotification/enter.php?id={courseId}", TestContext.CancellationToken);
            Assert.AreEqual(new Uri(Url!).Authority, refused.RequestMessage!.RequestUri!.Authority, "a student never reaches the service");
            Assert.DoesNotContain("grant=", refused.RequestMessage.RequestUri.Query);
            TestContext.WriteLine(FormattableString.Invariant(
                $"Moodle tier, block: teacher sees it, enters, edits (French editor), previews, saves, the next mail carries it once, no other course opens; student does not get in; {watch.Elapsed.TotalSeconds:0.0} s in all ({setup:0.0} s Moodle set-up and delivery, {chain:0.0} s from the editor to the refusals; load average {LoadAverage()})"));
        }
        finally
        {
            await PhpAsync("configure.php", $"--url={previousUrl}");
        }
    }

    /// <summary>The welcome's state for a learner on the course's status (JSON, with the key).</summary>
    private async Task<string?> WelcomeStateAsync(LocalHost host, long courseId, long learnerId)
    {
        var status = (await host.Http.GetFromJsonAsync<JsonObject>($"api/courses/{courseId}/status", TestContext.CancellationToken))!;
        var row = status["rows"]!.AsArray().OfType<JsonObject>().SingleOrDefault(r => (long)r["learnerId"]! == learnerId);
        Assert.IsNotNull(row, $"learner {learnerId} on the status: {status.ToJsonString()}");
        return (string?)row["cells"]?[SignalKeys.Welcome]?["state"];
    }

    private async Task<JsonObject> CourseSettingsAsync(LocalHost host, long courseId) =>
        (JsonObject)(await host.Http.GetFromJsonAsync<JsonObject>($"api/courses/{courseId}/settings", TestContext.CancellationToken))!["settings"]!;

    /// <summary>What the hourly timer does, now, then waits until the host's workers have emptied the queues.</summary>
    private async Task ScanAndDrainAsync(LocalHost host)
    {
        using var scan = await host.Http.PostAsync("api/scan", null, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Accepted, scan.StatusCode, await scan.Content.ReadAsStringAsync(TestContext.CancellationToken));
        Assert.IsTrue(await host.App.Services.GetRequiredService<Pipeline>().WaitUntilEmptyAsync(TimeSpan.FromSeconds(60), TestContext.CancellationToken), "the queues did not empty");
    }

    /// <summary>A form posted as a browser on the service's own page posts it: urlencoded, with the page's origin.</summary>
    private async Task<HttpResponseMessage> PostFormAsync(HttpClient client, Uri to, string origin, IReadOnlyDictionary<string, string> form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, to) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("Origin", origin);
        return await client.SendAsync(request, TestContext.CancellationToken);
    }

    /// <summary>
    /// The editor's form as a browser would post it without a button: every named input (a checkbox only when
    /// checked), each select's selected option (else its first), each text area, values decoded.
    /// </summary>
    private static Dictionary<string, string> EditorForm(string html)
    {
        const System.Text.RegularExpressions.RegexOptions Options = System.Text.RegularExpressions.RegexOptions.Singleline;
        var body = System.Text.RegularExpressions.Regex.Match(html, "<form[^>]*id=\"settings-form\"[^>]*>(.*?)</form>", Options).Groups[1].Value;
        Assert.IsGreaterThan(0, body.Length, "the editor has its form");
        static Dictionary<string, string> Attributes(string tag) =>
            System.Text.RegularExpressions.Regex.Matches(tag, "([a-zA-Z-]+)(?:=\"([^\"]*)\")?").Skip(1)
                .GroupBy(m => m.Groups[1].Value).ToDictionary(g => g.Key, g => WebUtility.HtmlDecode(g.First().Groups[2].Value));
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var input in System.Text.RegularExpressions.Regex.Matches(body, "<input\\b[^>]*>").Select(m => Attributes(m.Value)))
        {
            if (input.TryGetValue("name", out var name) && (input.GetValueOrDefault("type") != "checkbox" || input.ContainsKey("checked")))
            {
                form[name] = input.GetValueOrDefault("value") ?? (input.GetValueOrDefault("type") == "checkbox" ? "on" : "");
            }
        }
        foreach (System.Text.RegularExpressions.Match select in System.Text.RegularExpressions.Regex.Matches(body, "(<select\\b[^>]*>)(.*?)</select>", Options))
        {
            var options = System.Text.RegularExpressions.Regex.Matches(select.Groups[2].Value, "<option\\b[^>]*>").Select(m => Attributes(m.Value)).ToList();
            form[Attributes(select.Groups[1].Value)["name"]] = (options.FirstOrDefault(o => o.ContainsKey("selected")) ?? options[0])["value"];
        }
        foreach (System.Text.RegularExpressions.Match area in System.Text.RegularExpressions.Regex.Matches(body, "(<textarea\\b[^>]*>)(.*?)</textarea>", Options))
        {
            form[Attributes(area.Groups[1].Value)["name"]] = WebUtility.HtmlDecode(area.Groups[2].Value);
        }
        return form;
    }

    /// <summary>
    /// Issue 17's "1,000 enrolments made in Moodle reach the service in batches", measured: 1,000 people enrolled
    /// with dates through Moodle's enrol API (the real events fill the plugin's outbox), delivered by the plugin's
    /// own tasks to a local <c>serve</c>; the service ends with exactly 1,000 snapshots with Moodle's dates, every
    /// envelope applied once (none replayed, none refused), and the outbox empty.
    /// </summary>
    [TestMethod]
    public async Task A_thousand_enrolments_made_in_a_real_Moodle_reach_the_service_in_batches_each_once()
    {
        await RequireMoodleAsync();
        const int count = 1000;
        var settings = await PhpAsync("configure.php");
        var (secret, previousUrl) = ((string)settings["secret"]!, (string)settings["url"]!);
        var logs = new CapturedLogs();
        using var requests = new ServerRequestTimes();
        await using var host = await LocalHost.StartAsync(null, false, logs, ("Moodle:WebhookSecrets", secret), ("Moodle:Url", Url!),
            ("Moodle:Token", Environment.GetEnvironmentVariable("MOODLE_TOKEN")!));
        try
        {
            await PointAtAsync(host);
            await DeliverAsync(retry: true); // Whatever waited from earlier runs.
            var tag = "thd" + DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)[^8..];
            var courseId = (long)(await PhpAsync("course.php", $"--tag={tag}", "--startdays=-10", "--enddays=50"))["courseId"]!;
            var created = Stopwatch.StartNew();
            var ids = (await PhpAsync("user.php", $"--username={tag}u", $"--count={count}"))["users"]!.AsArray().Select(u => (long)u!["id"]!).ToList();
            var createSeconds = created.Elapsed.TotalSeconds;
            Assert.HasCount(count, ids.Distinct().ToList());
            await DeliverAsync(); // The people's own events, if any, so what follows is the enrolments alone.

            var enrol = await StepAsync("enrol", courseId, string.Join(',', ids), "--startdays=-1", "--enddays=30");
            var queued = await PhpAsync("status.php");
            var events = (int)queued["outbox"]!["total"]!;
            var deliveredBefore = (int)queued["deliveredTotal"]!;
            var logsBefore = logs.Lines.Count;
            requests.Clear();

            // The plugin's delivery (its ad-hoc task, then its scheduled one), run again until the outbox is empty.
            var delivering = Stopwatch.StartNew();
            var lines = new List<string>();
            var runs = 0;
            JsonObject delivery;
            do
            {
                delivery = await DeliverAsync();
                lines.AddRange(delivery["log"]!.AsArray().Select(l => (string)l!));
                runs++;
            }
            while ((int)delivery["after"]!["outbox"]!["total"]! > 0 && (int)delivery["after"]!["outbox"]!["failing"]! == 0 && runs < 10);
            var deliverySeconds = delivering.Elapsed.TotalSeconds;
            Assert.AreEqual(0, (int)delivery["after"]!["outbox"]!["total"]!, "the outbox is empty after delivery: " + delivery.ToJsonString());

            // Plugin side: one line per envelope, "Delivered N events (ID, HTTP S, MS ms)".
            var sent = lines.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"Delivered (\d+) events \(([^,]+), HTTP (\d+), (\d+) ms\)"))
                .Where(m => m.Success).Select(m => (Events: int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Id: m.Groups[2].Value,
                    Status: int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), Ms: int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture))).ToList();
            Assert.IsFalse(lines.Any(l => l.Contains("Failed", StringComparison.Ordinal) || l.Contains("Refused", StringComparison.Ordinal)), "no envelope failed or was refused: " + string.Join('\n', lines));
            Assert.AreEqual(events, sent.Sum(s => s.Events), "every queued event went in an envelope, once: " + string.Join('\n', lines));
            Assert.HasCount(sent.Count, sent.Select(s => s.Id).Distinct().ToList(), "no envelope sent twice");
            Assert.IsTrue(sent.All(s => s.Status == 202), "every envelope accepted: " + string.Join('\n', lines));
            Assert.AreEqual(deliveredBefore + events, (int)delivery["after"]!["deliveredTotal"]!, "the plugin's own count agrees");

            // Service side: each envelope applied once, none replayed; as many requests as envelopes.
            var serviceLines = logs.Lines.Skip(logsBefore).ToList();
            var applied = serviceLines.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"Envelope (\S+) \(moodle\.batch\): (\d+) of (\d+) events applied"))
                .Where(m => m.Success).Select(m => (Id: m.Groups[1].Value, Applied: int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
                    Received: int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture))).ToList();
            Assert.HasCount(sent.Count, applied, "the service applied as many envelopes as the plugin sent");
            CollectionAssert.AreEquivalent(sent.Select(s => s.Id).ToList(), applied.Select(a => a.Id).ToList(), "the same envelopes");
            Assert.AreEqual(events, applied.Sum(a => a.Received), "the service received every event once");
            Assert.IsFalse(serviceLines.Any(l => l.Contains("was accepted before", StringComparison.Ordinal)), "no envelope replayed");
            var posts = requests.Snapshot();
            Assert.HasCount(sent.Count, posts, "one request per envelope");

            // The service holds exactly the 1,000 enrolments, with Moodle's dates.
            var truth = enrol["truth"]!["enrolments"]!.AsArray().OfType<JsonObject>().ToDictionary(e => (long)e["learnerId"]!);
            Assert.HasCount(count, truth);
            var known = new List<EnrolmentSnapshot>();
            await foreach (var page in host.App.Services.GetRequiredService<SnapshotStore>().ListPagesAsync(courseId, 100, TestContext.CancellationToken))
            {
                known.AddRange(page);
            }
            Assert.HasCount(count, known, "exactly 1,000 enrolment snapshots for the course");
            CollectionAssert.AreEquivalent(ids, known.Select(s => s.LearnerId).ToList());
            foreach (var snapshot in known)
            {
                var row = truth[snapshot.LearnerId];
                var enrolment = snapshot.Enrolments.Single();
                Assert.AreEqual(((long)row["id"]!, Time(row["start"]), Time(row["end"]), true), (enrolment.Id, enrolment.Start, enrolment.End, enrolment.IsActive),
                    $"enrolment of {snapshot.LearnerId}");
                CollectionAssert.AreEquivalent(new[] { "student" }, (snapshot.Roles ?? []).ToArray());
            }
            var status = await PhpAsync("status.php");
            Assert.AreEqual(0, (int)status["outbox"]!["total"]!, "nothing left in the outbox: " + status.ToJsonString());
            TestContext.WriteLine(FormattableString.Invariant(
                $"Moodle tier, 1,000 enrolments: {count} people created in {createSeconds:0.0} s, enrolled in {(int)enrol["ms"]! / 1000.0:0.0} s ({events} events queued); delivered in {deliverySeconds:0.0} s ({runs} run(s) of deliver.php) as {sent.Count} envelopes of {sent.Min(s => s.Events)} to {sent.Max(s => s.Events)} events; plugin's round trips {sent.Sum(s => s.Ms) / 1000.0:0.0} s in all (median {Median(sent.Select(s => (double)s.Ms))} ms); service time {posts.Sum():0.0} s in all (median {Median(posts.Select(p => p * 1000)):0} ms, max {posts.Max() * 1000:0} ms per envelope, {events / posts.Sum():0} events/s); {known.Count} snapshots, dates as Moodle's; outbox empty; load average at the end {LoadAverage()}"));
        }
        finally
        {
            await PhpAsync("configure.php", $"--url={previousUrl}");
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>The server's own duration of every POST it answers (ASP.NET Core's <c>http.server.request.duration</c>), in seconds.</summary>
    private sealed class ServerRequestTimes : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private readonly System.Collections.Concurrent.ConcurrentQueue<double> _seconds = new();

        public ServerRequestTimes()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Microsoft.AspNetCore.Hosting" && instrument.Name == "http.server.request.duration")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "http.request.method" && (string?)tag.Value == "POST")
                    {
                        _seconds.Enqueue(value);
                    }
                }
            });
            _listener.Start();
        }

        public void Clear() => _seconds.Clear();

        public List<double> Snapshot() => [.. _seconds];

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>A client logged in to Moodle as that user (the scenario users' password), following redirects, with its cookies.</summary>
    private async Task<HttpClient> MoodleSessionAsync(string username)
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer(), AllowAutoRedirect = true }) { BaseAddress = new Uri(Url!.TrimEnd('/') + "/") };
        var login = await http.GetStringAsync("login/index.php", TestContext.CancellationToken);
        var token = System.Text.RegularExpressions.Regex.Match(login, "name=\"logintoken\" value=\"([^\"]+)\"").Groups[1].Value;
        var answer = await http.PostAsync("login/index.php", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = username.ToLowerInvariant(), ["password"] = "Passw0rd!", ["logintoken"] = token,
        }), TestContext.CancellationToken);
        var after = await answer.Content.ReadAsStringAsync(TestContext.CancellationToken);
        Assert.DoesNotContain("loginerrormessage", after, $"{username} logs in to Moodle");
        return http;
    }

    /// <summary>Runs the plugin's delivery, then compares every enrolment, person and course the service holds for the course with Moodle's tables.</summary>
    private async Task DeliverAndCompareAsync(LocalHost host, long courseId, string step, bool retry = false)
    {
        var delivery = await DeliverAsync(retry);
        Assert.AreEqual(0, (int)delivery["after"]!["outbox"]!["total"]!, $"{step}: the outbox is empty after delivery: {delivery.ToJsonString()}");
        var truth = (await PhpAsync("truth.php", $"--course={courseId}"))["truth"]!;
        var snapshots = host.App.Services.GetRequiredService<SnapshotStore>();
        var learners = host.App.Services.GetRequiredService<LearnerStore>();
        var known = new List<EnrolmentSnapshot>();
        await foreach (var page in snapshots.ListPagesAsync(courseId, 100, TestContext.CancellationToken))
        {
            known.AddRange(page);
        }
        var people = truth["learners"]!.AsArray().OfType<JsonObject>().Where(l => l["deleted"]?.GetValue<bool>() != true).ToDictionary(l => (long)l["id"]!);
        var moodleEnrolments = truth["enrolments"]!.AsArray().OfType<JsonObject>().ToList();
        foreach (var row in moodleEnrolments)
        {
            var (id, learnerId) = ((long)row["id"]!, (long)row["learnerId"]!);
            var snapshot = known.SingleOrDefault(s => s.LearnerId == learnerId);
            Assert.IsNotNull(snapshot, $"{step}: the service knows learner {learnerId}");
            var enrolment = snapshot.Enrolments.SingleOrDefault(e => e.Id == id);
            Assert.IsNotNull(enrolment, $"{step}: enrolment {id}");
            Assert.AreEqual((string)row["status"]! == "active", enrolment.IsActive, $"{step}: status of enrolment {id}");
            Assert.AreEqual(Time(row["start"]), enrolment.Start, $"{step}: start of enrolment {id}");
            Assert.AreEqual(Time(row["end"]), enrolment.End, $"{step}: end of enrolment {id}");
            CollectionAssert.AreEquivalent(row["roles"]!.AsArray().Select(r => (string)r!).ToArray(), (snapshot.Roles ?? []).ToArray(), $"{step}: roles of {learnerId}");
            if (Time(row["lastAccess"]) is { } lastAccess)
            {
                Assert.IsTrue(snapshot.LastAccess >= lastAccess, $"{step}: last access of {learnerId}: {snapshot.LastAccess} for Moodle's {lastAccess}");
            }
            Assert.AreEqual(Time(row["completedAt"]), snapshot.CompletedAt, $"{step}: completion of {learnerId}");
            var person = people[learnerId];
            Assert.AreEqual(((string)person["lang"]!, (string)person["timeZone"]!, (bool)person["suspended"]!),
                (snapshot.Profile!.Lang, snapshot.Profile.TimeZone, snapshot.Profile.Suspended), $"{step}: language, zone and suspension of {learnerId} in the snapshot");
            var learner = await learners.GetAsync(learnerId, TestContext.CancellationToken);
            Assert.AreEqual(((string)person["lang"]!, (string)person["timeZone"]!, (string)person["email"]!), (learner!.Lang, learner.TimeZone, learner.Email), $"{step}: learner {learnerId}");
            _checks++;
        }
        // An enrolment Moodle no longer has is ended in the service (a tombstone), never active.
        foreach (var enrolment in known.SelectMany(s => s.Enrolments).Where(e => moodleEnrolments.All(r => (long)r["id"]! != e.Id)))
        {
            Assert.IsFalse(enrolment.IsActive, $"{step}: enrolment {enrolment.Id} is gone from Moodle and not active in the service");
            _checks++;
        }
        Assert.AreEqual(moodleEnrolments.Count, known.SelectMany(s => s.Enrolments).Count(e => e.RemovedAt is null), $"{step}: as many live enrolments as Moodle has");
        var course = await host.App.Services.GetRequiredService<CourseStore>().GetAsync(courseId, TestContext.CancellationToken);
        Assert.AreEqual((Time(truth["course"]!["startDate"]), Time(truth["course"]!["endDate"])), (course!.StartDate, course.EndDate), $"{step}: course dates");
        await CompareDecisionsAsync(host, courseId, step, moodleEnrolments, people, Time(truth["course"]!["endDate"]));
    }

    /// <summary>
    /// The service's decisions as its status page gives them, against Moodle's rows: a learner in access
    /// who has not completed has end reminders aimed at the access end Moodle has now (the enrolment's end,
    /// or the course's when it comes first), in the learner's calendar; a suspended, ended or completed
    /// enrolment has none due or scheduled.
    /// </summary>
    private async Task CompareDecisionsAsync(LocalHost host, long courseId, string step, List<JsonObject> moodleEnrolments, Dictionary<long, JsonObject> people, DateTimeOffset? courseEnd)
    {
        var status = (await host.Http.GetFromJsonAsync<JsonObject>($"api/courses/{courseId}/status?pageSize=500", TestContext.CancellationToken))!;
        var rows = status["rows"]!.AsArray().OfType<JsonObject>().ToDictionary(r => (long)r["learnerId"]!);
        foreach (var row in moodleEnrolments.Where(r => people.ContainsKey((long)r["learnerId"]!)))
        {
            var learnerId = (long)row["learnerId"]!;
            Assert.IsTrue(rows.TryGetValue(learnerId, out var line), $"{step}: learner {learnerId} on the status page");
            var end7 = line["cells"]?[SignalKeys.End7] as JsonObject;
            Assert.IsNotNull(end7, $"{step}: an end7 cell for {learnerId}: {line.ToJsonString()}");
            var state = (string)end7["state"]!;
            var person = people[learnerId];
            var inAccess = (string)row["status"]! == "active" && Time(row["completedAt"]) is null && !(bool)person["suspended"]!;
            if (inAccess && Time(row["end"]) is { } end)
            {
                var accessEnd = courseEnd < end ? courseEnd.Value : end;
                var zone = TimeZoneInfo.FindSystemTimeZoneById((string)person["timeZone"]! is "99" or "" ? "Europe/Paris" : (string)person["timeZone"]!);
                Assert.AreEqual(Zones.DayOf(accessEnd, zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), (string?)end7["anchor"], $"{step}: end7 of {learnerId} aims at the access end: {end7.ToJsonString()}");
            }
            else if (!inAccess)
            {
                Assert.IsFalse(state is "due" or "scheduled", $"{step}: no end reminder for {learnerId} out of access or completed: {end7.ToJsonString()}");
            }
            _checks++;
        }
    }

    private static DateTimeOffset? Time(JsonNode? seconds) => seconds is not null && (long)seconds is > 0 and var s ? DateTimeOffset.FromUnixTimeSeconds(s) : null;
}
