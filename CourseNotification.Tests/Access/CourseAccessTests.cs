using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CourseNotification.Cli.Hosting;
using CourseNotification.Cli.Local;
using CourseNotification.Http;
using CourseNotification.Tests.Browser;
using CourseNotification.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CourseNotification.Tests.Access;

/// <summary>
/// A teacher's way in from Moodle, in Chromium against <c>serve</c> with a key set (as anywhere but a
/// developer's loopback): a grant from the block opens that course's pages and nothing else (not another
/// course, not the site-wide pages), sets a session cookie with the right attributes, and is refused when
/// expired, reused, for another course, too long-lived, signed with another secret or from another site,
/// each with a page a person can read, and without a cookie; a teacher who came that way rewrites a text
/// in the editor, and the next mails carry it.
/// </summary>
[TestClass]
[TestCategory("storage")]
[TestCategory("browser")]
public sealed class CourseAccessTests
{
    private const string Key = "access-key-0123456789abcdef";
    private static readonly DateTimeOffset Opening = DateTimeOffset.UtcNow.AddDays(-1);

    public TestContext TestContext { get; set; } = null!;

    private static Task<LocalHost> StartAsync(string secret, bool workers = false, params (string Key, string Value)[] more) =>
        LocalHost.StartAsync(null, workers,
            [("Serve:Key", Key), ("Moodle:WebhookSecrets", secret), ("Moodle:Url", Grants.MoodleUrl), ("Moodle:Token", "unused-no-pull-sync-here"), .. more]);

    /// <summary>A course with three learners who never came in, so the welcome is due for each.</summary>
    private async Task<(long Course, long Learner)> SeedAsync(LocalHost host, string name)
    {
        var course = TestIds.Next();
        var learners = Enumerable.Range(0, 3).Select(_ => TestIds.Next()).ToList();
        using var request = new HttpRequestMessage(HttpMethod.Put, "api/snapshots")
        {
            Content = JsonContent.Create(new JsonObject
            {
                ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = name, ["startDate"] = Opening.ToString("O") }),
                ["learners"] = new JsonArray([.. learners.Select((l, i) => new JsonObject { ["id"] = l, ["email"] = $"l{l}@example.org", ["firstName"] = "Léa", ["lastName"] = $"Martin{i}", ["lang"] = "fr", ["timeZone"] = "Europe/Paris" })]),
                ["enrolments"] = new JsonArray([.. learners.Select(l => new JsonObject { ["id"] = l, ["courseId"] = course, ["learnerId"] = l, ["start"] = Opening.ToUnixTimeSeconds(), ["roles"] = new JsonArray("student") })]),
            }),
        };
        request.Headers.Add("x-functions-key", Key);
        (await host.Http.SendAsync(request, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        return (course, learners[0]);
    }

    private static string Url(LocalHost host, string path) => new Uri(host.Http.BaseAddress!, path).ToString();

    [TestMethod]
    public async Task A_teacher_grant_opens_that_course_pages_and_no_other_with_a_session_cookie()
    {
        var secret = Grants.NewSecret();
        await using var host = await StartAsync(secret);
        var (course, learner) = await SeedAsync(host, "Sécurité au travail");
        var (other, _) = await SeedAsync(host, "Gestes et postures");
        var page = await Chromium.NewPageAsync();

        // Without a grant, the course page refuses with a page a person can read.
        var before = await page.GotoAsync(Url(host, $"courses/{course}/status"));
        Assert.AreEqual(401, before!.Status);
        StringAssert.Contains(await page.Locator("main").InnerTextAsync(), "s’ouvrent depuis le cours dans Moodle", "in the browser's language (fr-FR)");

        // A teacher whose Moodle speaks English: the grant says so, and the pages follow Moodle rather than the browser.
        var entered = await page.GotoAsync(Url(host, $"courses/{course}/enter?grant={Grants.Mint(secret, course, perms: [CoursePermissions.View, CoursePermissions.Test], lang: "en")}"));
        Assert.AreEqual(200, entered!.Status);
        Assert.AreEqual($"/courses/{course}/status", new Uri(page.Url).AbsolutePath, "the grant leaves the address bar");
        Assert.AreEqual("Sécurité au travail", await page.Locator("h1").InnerTextAsync());
        Assert.AreEqual("en", await page.Locator("html").GetAttributeAsync("lang"), "the teacher's Moodle language");
        await Chromium.ScreenshotAsync(page, TestContext, "course-entered");

        var cookie = (await page.Context.CookiesAsync()).Single();
        Assert.AreEqual($"cn-course-{course}", cookie.Name);
        Assert.IsTrue(cookie.HttpOnly, "HttpOnly: no script reads it");
        Assert.AreEqual(SameSiteAttribute.Lax, cookie.SameSite);
        Assert.IsFalse(cookie.Secure, "plain http on loopback (Secure anywhere else: see the unit test)");
        Assert.AreEqual("/", cookie.Path);
        var lifetime = DateTimeOffset.FromUnixTimeSeconds((long)cookie.Expires) - DateTimeOffset.UtcNow;
        Assert.IsTrue(lifetime > TimeSpan.FromMinutes(230) && lifetime <= TimeSpan.FromMinutes(241), $"a session of 4 hours, not {lifetime}");
        Assert.AreEqual(-1, await page.EvaluateAsync<int>("document.cookie.indexOf('cn-course')"), "invisible to the page's script");

        // Every page of the course opens with the session, without ?code=: a cell leads to the mail preview.
        await page.Locator("tbody tr").First.Locator("td").First.Locator("a").ClickAsync();
        Assert.AreEqual("welcome", await page.Locator("[data-signal]").GetAttributeAsync("data-signal"), "the preview of that learner's mail");
        StringAssert.Contains(await page.Locator("main").InnerTextAsync(), "“Welcome” mail");
        var api = page.Context.APIRequest;
        Assert.AreEqual(200, (await api.GetAsync(Url(host, $"api/courses/{course}/settings"))).Status, "the course's JSON routes too");
        Assert.AreEqual(200, (await api.GetAsync(Url(host, $"api/courses/{course}/learners/{learner}/mails/welcome"))).Status);

        // What the grant did not allow (settings) is refused, and nothing changes.
        var put = await api.PutAsync(Url(host, $"api/courses/{course}/settings"), new() { DataObject = new { enabled = false } });
        Assert.AreEqual(403, put.Status, await put.TextAsync());
        StringAssert.Contains(await put.TextAsync(), "\"field\":\"permission\"");
        var settings = await host.Http.GetFromJsonAsync<JsonObject>($"api/courses/{course}/settings?code={Key}", TestContext.CancellationToken);
        Assert.AreNotEqual(false, (bool?)settings!["settings"]!["enabled"], "the refused change left the settings as they were");

        // Another course, and the site-wide pages, stay shut.
        var elsewhere = await page.GotoAsync(Url(host, $"courses/{other}/status"));
        Assert.AreEqual(401, elsewhere!.Status);
        Assert.AreNotEqual("Gestes et postures", await page.Locator("h1").InnerTextAsync());
        Assert.AreEqual(401, (await api.GetAsync(Url(host, $"api/courses/{other}/status"))).Status);
        Assert.AreEqual(401, (await api.GetAsync(Url(host, "overview"))).Status, "the site overview is the administrators'");
        Assert.AreEqual(401, (await api.GetAsync(Url(host, $"api/learners/{learner}/export"))).Status);

        // A cookie copied under another course's name opens nothing (it is sealed to its course).
        await page.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = $"cn-course-{other}", Value = cookie.Value, Domain = cookie.Domain, Path = "/" }]);
        Assert.AreEqual(401, (await api.GetAsync(Url(host, $"api/courses/{other}/status"))).Status, "a session is sealed to its own course");

        // The administrator's key still opens every course.
        Assert.AreEqual(HttpStatusCode.OK, (await host.Http.GetAsync($"courses/{other}/status?code={Key}", TestContext.CancellationToken)).StatusCode);
    }

    [TestMethod]
    public async Task A_grant_is_refused_when_reused_expired_for_another_course_too_long_or_not_signed_by_this_Moodle()
    {
        var secret = Grants.NewSecret();
        await using var host = await StartAsync(secret);
        var (course, _) = await SeedAsync(host, "Sécurité au travail");
        var (other, _) = await SeedAsync(host, "Gestes et postures");
        var now = DateTimeOffset.UtcNow;

        var used = Grants.Mint(secret, course);
        var first = await Chromium.NewPageAsync();
        Assert.AreEqual(200, (await first.GotoAsync(Url(host, $"courses/{course}/enter?grant={used}")))!.Status);

        var cases = new (string What, long Course, string Grant, int Status, string Says)[]
        {
            ("reused", course, used, 401, "déjà servi"),
            ("expired", course, Grants.Mint(secret, course, issued: now.AddMinutes(-8), lifetime: TimeSpan.FromMinutes(5)), 401, "expiré"),
            ("for another course", other, Grants.Mint(secret, course), 403, "un autre cours"),
            ("living 30 minutes", course, Grants.Mint(secret, course, lifetime: TimeSpan.FromMinutes(30)), 403, "plus de 10 minutes"),
            ("signed with another secret", course, Grants.Mint(Grants.NewSecret(), course), 403, "signature"),
            ("from another Moodle", course, Grants.Mint(secret, course, issuer: "https://other-moodle.example"), 403, "un autre site Moodle"),
            ("for another service", course, Grants.Mint(secret, course, audience: "someone-else"), 403, "un autre service"),
            ("without view", course, Grants.Mint(secret, course, perms: [CoursePermissions.Settings]), 403, "consulter"),
            ("not a JWT", course, "not-a-grant", 403, "pas une autorisation valide"),
            ("missing", course, "", 403, "aucune autorisation"),
        };
        foreach (var (what, target, grant, status, says) in cases)
        {
            var page = await Chromium.NewPageAsync();
            var response = await page.GotoAsync(Url(host, $"courses/{target}/enter?grant={Uri.EscapeDataString(grant)}"));
            Assert.AreEqual(status, response!.Status, what);
            Assert.AreEqual("text/html; charset=utf-8", await response.HeaderValueAsync("content-type"), $"{what}: a page, not a stack trace");
            var text = await page.Locator("main").InnerTextAsync();
            StringAssert.Contains(text, says, what);
            StringAssert.Contains(text, "Rien n’a été modifié.", what);
            Assert.AreEqual(0, (await page.Context.CookiesAsync()).Count, $"{what}: no session");
            Assert.AreEqual(401, (await page.GotoAsync(Url(host, $"courses/{target}/status")))!.Status, $"{what}: the course stays shut");
        }

        // In an English browser, the same refusal in English.
        var english = await Chromium.NewPageAsync(locale: "en-GB");
        Assert.AreEqual(401, (await english.GotoAsync(Url(host, $"courses/{course}/enter?grant={used}")))!.Status);
        Assert.AreEqual("en", await english.Locator("html").GetAttributeAsync("lang"));
        StringAssert.Contains(await english.Locator("main").InnerTextAsync(), "This link was already used");
        StringAssert.Contains(await english.Locator("main").InnerTextAsync(), "Nothing was changed.");
    }

    [TestMethod]
    public async Task The_session_cookie_is_Secure_when_the_service_is_reached_by_its_public_name()
    {
        var secret = Grants.NewSecret();
        await using var host = await LocalHost.StartAsync(null, false, ("Serve:Key", Key), ("Moodle:WebhookSecrets", secret), ("Platform:PublicUrl", "https://cn.example"));
        var (course, _) = await SeedAsync(host, "Sécurité au travail");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"courses/{course}/enter?grant={Grants.Mint(secret, course)}");
        request.Headers.Host = "cn.example";
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = host.Http.BaseAddress };
        using var response = await http.SendAsync(request, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.Redirect, response.StatusCode);
        Assert.AreEqual($"/courses/{course}/status", response.Headers.Location!.OriginalString);
        var cookie = response.Headers.GetValues("Set-Cookie").Single();
        StringAssert.StartsWith(cookie, $"cn-course-{course}=");
        foreach (var attribute in new[] { "secure", "httponly", "samesite=lax", "path=/", "max-age=14400" })
        {
            StringAssert.Contains(cookie.ToLowerInvariant(), attribute, cookie);
        }
        Assert.AreEqual("no-store", response.Headers.CacheControl!.ToString(), "the answer that sets the session is never cached");
    }

    [TestMethod]
    public async Task A_teacher_from_Moodle_rewrites_the_welcome_in_the_editor_and_the_next_mails_carry_it()
    {
        var secret = Grants.NewSecret();
        // Queue workers on, the hourly scan off (the real clock): only the scan below sends. Send hour 0 and
        // no quiet hours: the welcome is due whatever the hour the test runs at.
        await using var host = await StartAsync(secret, workers: true, ("Serve:HourlyScan", "false"), ("Platform:SendHour", "0"), ("Platform:QuietHoursStart", "0"), ("Platform:QuietHoursEnd", "0"));
        var (course, learner) = await SeedAsync(host, "Sécurité au travail");

        // An English browser, a teacher whose Moodle speaks French: the block's link, then the page's own link to the editor.
        var page = await Chromium.NewPageAsync(width: 1280, height: 900, locale: "en-GB");
        await page.GotoAsync(Url(host, $"courses/{course}/enter?grant={Grants.Mint(secret, course, user: 77, name: "Tina Teacher", lang: "fr")}"));
        await page.GetByRole(AriaRole.Link, new() { Name = "Réglages et textes de ce cours" }).ClickAsync();
        Assert.AreEqual($"/courses/{course}/settings", new Uri(page.Url).AbsolutePath, "no key in the address");
        Assert.AreEqual("fr", await page.Locator("html").GetAttributeAsync("lang"), "the teacher's Moodle language");

        // The course's id in it: the inbox is shared with other tests' courses.
        const string subject = "{{firstName}}, votre formation {{courseName}} ({{courseId}}) commence";
        var expected = $"Léa, votre formation Sécurité au travail ({course}) commence";
        await page.Locator("#f-previewLearner").SelectOptionAsync(learner.ToString(CultureInfo.InvariantCulture));
        await page.Locator("#f-fr-subject").FillAsync(subject);
        await Assertions.Expect(page.Locator("#preview-subject")).ToHaveTextAsync(expected, new() { Timeout = 15000 });
        await page.GetByRole(AriaRole.Button, new() { Name = "Enregistrer" }).ClickAsync();
        await Assertions.Expect(page.Locator(".saved")).ToBeVisibleAsync();
        StringAssert.Contains(await page.Locator(".changes").InnerTextAsync(), "Tina Teacher (Moodle user 77)", "recorded with who made it");

        var scan = await host.Http.PostAsync($"api/scan?code={Key}", null, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Accepted, scan.StatusCode);
        Assert.IsTrue(await host.App.Services.GetRequiredService<Pipeline>().WaitUntilEmptyAsync(TimeSpan.FromSeconds(60), TestContext.CancellationToken), "the queues did not empty");
        using var inbox = new MaildevInbox((await SharedServices.MaildevAsync()).WebUrl);
        var mails = await inbox.WaitForAsync(m => m.Subject == expected, 3, TimeSpan.FromSeconds(30), TestContext.CancellationToken);
        Assert.AreEqual(3, mails.Select(m => m.To).Distinct().Count(), "each of the course's three learners, with the teacher's subject");
        Assert.Contains($"l{learner}@example.org", mails.Select(m => m.To).ToList());
    }
}
