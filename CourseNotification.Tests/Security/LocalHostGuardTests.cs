using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CourseNotification.Tests.Cli;
using CourseNotification.Cli.Hosting;
using CourseNotification.Cli.Local;
using CourseNotification.Http;
using CourseNotification.Storage;
using CourseNotification.Tests.Browser;
using CourseNotification.Tests.Integration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Tests.Security;

/// <summary>
/// The Cli's <c>serve</c> as someone on the same machine or network would try it: a cross-site form
/// that mails a learner's message to an attacker, a <c>text/plain</c> post that imports learners, a
/// DNS-rebinding page naming its own host, a listening address beyond loopback without a key, keyed
/// routes called without the key. Each refused, nothing mailed or written; the learners' own forms and
/// pages keep working, in Chromium too; every answer carries the security headers.
/// </summary>
[TestClass]
[TestCategory("storage")]
[TestCategory("browser")]
public sealed partial class LocalHostGuardTests
{
    private const string Key = "local-key-0123456789abcdef";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task A_cross_site_form_post_to_the_test_send_mails_nothing_and_our_own_page_still_sends()
    {
        await using var host = await LocalHost.StartAsync();
        var (course, learner) = await SeedAsync(host.Http);
        var attacker = $"attacker{course}@evil.example";
        var route = $"api/courses/{course}/learners/{learner}/mails/welcome/test";

        // What a page elsewhere makes the learner's administrator's browser send: a plain form, with the
        // browser's own word on where it comes from (a modern browser, an old one, a sandboxed or no-referrer page).
        foreach (var (origin, site) in new (string?, string?)[] { ("https://evil.example", "cross-site"), ("https://evil.example", null), ("null", null), ("null", "cross-site"), (null, "same-site") })
        {
            var refused = await PostFormAsync(host.Http, route, origin, site, ("email", attacker));
            await AssertProblemAsync(refused, HttpStatusCode.Forbidden, "Origin", $"Origin {origin ?? "absent"}, Sec-Fetch-Site {site ?? "absent"}");
        }

        // The preview page's own form, as Chromium posts it under no-referrer: Origin null, Sec-Fetch-Site same-origin.
        var mine = $"admin{course}@example.org";
        var sent = await PostFormAsync(host.Http, route, "null", "same-origin", ("email", mine));
        Assert.AreEqual(HttpStatusCode.OK, sent.StatusCode, await sent.Content.ReadAsStringAsync(TestContext.CancellationToken));
        using var inbox = new MaildevInbox((await SharedServices.MaildevAsync()).WebUrl);
        await inbox.WaitForAsync(m => m.To == mine, 1, TimeSpan.FromSeconds(30), TestContext.CancellationToken);
        Assert.AreEqual(0, (await inbox.ReadAsync(TestContext.CancellationToken)).Count(m => m.To == attacker), "nothing reached the attacker, though a later test send arrived");
    }

    [TestMethod]
    public async Task A_text_plain_post_to_the_csv_import_is_refused_and_writes_nothing()
    {
        await using var host = await LocalHost.StartAsync();
        var (course, learner) = (TestIds.Next(), TestIds.Next());
        var csv = $"course id;user id;email;first name;last name\n{course};{learner};csrf{learner}@example.org;Eve;Planted\n";
        var learners = host.App.Services.GetRequiredService<LearnerStore>();

        using (var plain = new StringContent(csv, Encoding.UTF8, "text/plain"))
        {
            var refused = await host.Http.PostAsync("api/import/csv", plain, TestContext.CancellationToken);
            var detail = await AssertProblemAsync(refused, HttpStatusCode.UnsupportedMediaType, "Content-Type", "text/plain");
            StringAssert.Contains(detail, "'text/plain'", "the refusal names the content type");
            StringAssert.Contains(detail, "text/csv", "and the one the route takes");
        }
        using (var crossSite = new StringContent(csv, Encoding.UTF8, "text/csv"))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/import/csv") { Content = crossSite };
            request.Headers.Add("Origin", "http://evil.example");
            await AssertProblemAsync(await host.Http.SendAsync(request, TestContext.CancellationToken), HttpStatusCode.Forbidden, "Origin", "text/csv from another site");
        }
        Assert.IsNull(await learners.GetAsync(learner, TestContext.CancellationToken), "no learner created by a refused post");

        using var proper = new StringContent(csv, Encoding.UTF8, "text/csv");
        (await host.Http.PostAsync("api/import/csv", proper, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        Assert.IsNotNull(await learners.GetAsync(learner, TestContext.CancellationToken), "the same file as text/csv, from no browser, is imported");
    }

    [TestMethod]
    public async Task Writes_with_a_content_type_their_route_does_not_take_are_refused()
    {
        await using var host = await LocalHost.StartAsync();
        var (course, learner) = await SeedAsync(host.Http);
        foreach (var (method, path, type) in new[]
        {
            ("PUT", "api/snapshots", "text/plain"),
            ("PUT", $"api/courses/{course}/settings", "application/x-www-form-urlencoded"),
            ("POST", "api/moodle/events", "multipart/form-data; boundary=x"),
            ("POST", $"api/courses/{course}/questionnaires/hot/test", "text/plain"),
            ("POST", $"api/courses/{course}/learners/{learner}/mails/welcome/test", "text/plain"),
            ("POST", "api/scan", "text/plain"),
        })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent("{}"u8.ToArray()) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            await AssertProblemAsync(await host.Http.SendAsync(request, TestContext.CancellationToken), HttpStatusCode.UnsupportedMediaType, "Content-Type", $"{method} {path} as {type}");
        }
    }

    [TestMethod]
    public async Task A_foreign_host_name_is_refused_ours_are_answered()
    {
        await using var host = await LocalHost.StartAsync(null, false, ("Platform:PublicUrl", "https://notifications.example.org"));
        var (_, learner) = await SeedAsync(host.Http);
        var port = host.Http.BaseAddress!.Port;

        // A DNS-rebinding page: its own name, now resolving to 127.0.0.1, in the Host header.
        foreach (var foreign in new[] { $"rebind.attacker.example:{port}", "attacker.example", $"127.0.0.1.nip.example:{port}" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"api/learners/{learner}/export");
            request.Headers.Host = foreign;
            await AssertProblemAsync(await host.Http.SendAsync(request, TestContext.CancellationToken), HttpStatusCode.BadRequest, "Host", foreign);
        }
        foreach (var ours in new[] { $"127.0.0.1:{port}", $"localhost:{port}", "notifications.example.org" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"api/learners/{learner}/export");
            request.Headers.Host = ours;
            Assert.AreEqual(HttpStatusCode.OK, (await host.Http.SendAsync(request, TestContext.CancellationToken)).StatusCode, ours);
        }
    }

    [TestMethod]
    public async Task Serve_beyond_loopback_without_a_key_refuses_to_start_naming_the_setting()
    {
        var errors = new StringWriter();
        var original = Console.Error;
        Console.SetError(errors);
        int exit;
        try
        {
            exit = await InProcessCli.RunAsync(["serve", "--urls", "http://0.0.0.0:0"]);
        }
        finally
        {
            Console.SetError(original);
        }
        Assert.AreEqual(2, exit);
        var message = errors.ToString().Trim();
        Assert.AreEqual(1, message.Split('\n').Length, message);
        StringAssert.Contains(message, "Serve__Key");
        StringAssert.Contains(message, "http://0.0.0.0:0");

        var configuration = await SharedServices.ConfigurationAsync();
        var thrown = Assert.ThrowsExactly<InvalidOperationException>(() => ServeHost.Build(configuration, TimeProvider.System, "http://127.0.0.1:0;http://[::]:0", runWorkers: false));
        StringAssert.Contains(thrown.Message, "Serve__Key");
        var weak = await SharedServices.ConfigurationAsync(("Serve:Key", "short"));
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => ServeHost.Build(weak, TimeProvider.System, "http://0.0.0.0:0", runWorkers: false)).Message, "Serve__Key must be at least 16");
    }

    [TestMethod]
    public async Task With_a_key_every_keyed_route_needs_it_and_the_learners_links_do_not()
    {
        var configuration = await SharedServices.ConfigurationAsync(("Serve:Key", Key));
        await using var app = ServeHost.Build(configuration, TimeProvider.System, "http://0.0.0.0:0", runWorkers: false, quietLogs: true,
            services: services => services.AddSingleton(AzureLimits.PolicyFor(configuration[StorageAccount.SettingName]!)));
        await app.StartAsync(TestContext.CancellationToken);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{new Uri(app.Urls.First().Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)).Port}/") };
        var (course, learner) = (TestIds.Next(), TestIds.Next());

        // Every route of the description: the open ones answer without the key, the others refuse it, before running.
        foreach (var rule in RouteRules.Described.All)
        {
            var path = Regex.Replace(rule.Template, "{[^}]+}", "1").TrimStart('/');
            using var request = new HttpRequestMessage(new HttpMethod(rule.Method), path);
            var response = await http.SendAsync(request, TestContext.CancellationToken);
            if (rule.Open)
            {
                Assert.AreNotEqual(HttpStatusCode.Unauthorized, response.StatusCode, $"{rule.Method} {rule.Template} is open");
            }
            else
            {
                await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "code", $"{rule.Method} {rule.Template} without the key");
            }
        }

        using (var wrong = new HttpRequestMessage(HttpMethod.Get, $"api/learners/{learner}/export?code=not-the-key-0123456789"))
        {
            await AssertProblemAsync(await http.SendAsync(wrong, TestContext.CancellationToken), HttpStatusCode.Unauthorized, "code", "a wrong key");
        }
        using (var seed = new HttpRequestMessage(HttpMethod.Put, "api/snapshots") { Content = JsonContent.Create(Snapshots(course, learner)) })
        {
            seed.Headers.Add("x-functions-key", Key);
            (await http.SendAsync(seed, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        }
        var export = await http.GetAsync($"api/learners/{learner}/export?code={Key}", TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, export.StatusCode, "?code= opens the export");
        var page = await http.GetStringAsync($"courses/{course}/status?code={Key}", TestContext.CancellationToken);
        var cellLink = CellLink().Match(page).Groups[1].Value.Replace("&amp;", "&", StringComparison.Ordinal);
        StringAssert.Contains(cellLink, $"code={Key}", "the status page carries the key on in its links");
        Assert.AreEqual(HttpStatusCode.OK, (await http.GetAsync(cellLink.TrimStart('/'), TestContext.CancellationToken)).StatusCode, "and its links open with it");
        Assert.AreEqual(HttpStatusCode.Accepted, (await http.PostAsync($"api/scan?code={Key}", null, TestContext.CancellationToken)).StatusCode, "the scan with the key");

        var link = await app.Services.GetRequiredService<CourseNotification.Enrolments.OptOut>().LinkAsync(learner, TestContext.CancellationToken);
        var unsubscribe = new Uri(link).AbsolutePath.TrimStart('/');
        Assert.AreEqual(HttpStatusCode.OK, (await http.GetAsync(unsubscribe, TestContext.CancellationToken)).StatusCode, "the unsubscribe page needs no key");
        Assert.AreEqual(HttpStatusCode.OK, (await http.PostAsync(unsubscribe, new FormUrlEncodedContent([new("confirm", "1")]), TestContext.CancellationToken)).StatusCode, "nor its form");
        Assert.IsTrue((await app.Services.GetRequiredService<LearnerStore>().GetAsync(learner, TestContext.CancellationToken))!.OptedOut);
        Assert.AreEqual(HttpStatusCode.NotFound, (await http.GetAsync("q/AAAAAAAAAAAAAAAAAAAAAA", TestContext.CancellationToken)).StatusCode, "a questionnaire link needs no key");
    }

    [TestMethod]
    public void The_local_host_opens_exactly_the_routes_the_functions_app_opens()
    {
        var triggers = TriggerLevel().Matches(File.ReadAllText(FunctionsSource()))
            .Select(m => (Open: m.Groups[1].Value == "Anonymous", Route: $"{m.Groups[2].Value.ToUpperInvariant()} /{RouteConstraint().Replace(m.Groups[3].Value, "{$1}")}"))
            .ToList();
        Assert.IsTrue(triggers.Count >= 25, $"the HTTP triggers were read: {triggers.Count}");
        // A course's routes are anonymous to the Functions host too: the worker's guard asks for that course's session or the admin key.
        var described = RouteRules.Described.All.Select(r => (Open: r.Open || r.CoursePermission is not null, Route: $"{r.Method} {r.Template}")).ToList();
        CollectionAssert.AreEquivalent(triggers.Where(t => t.Open).Select(t => t.Route).ToArray(), described.Where(d => d.Open).Select(d => d.Route).ToArray(), "open routes");
        CollectionAssert.AreEquivalent(triggers.Where(t => !t.Open).Select(t => t.Route).ToArray(), described.Where(d => !d.Open).Select(d => d.Route).ToArray(), "keyed routes");
    }

    [TestMethod]
    public async Task Every_page_and_json_answer_carries_the_security_headers_and_personal_data_is_not_stored()
    {
        await using var host = await LocalHost.StartAsync();
        var (course, learner) = await SeedAsync(host.Http);
        var link = await host.App.Services.GetRequiredService<CourseNotification.Enrolments.OptOut>().LinkAsync(learner, TestContext.CancellationToken);
        var at = "2033-03-07T10:00:00%2B01:00";
        var personal = new[]
        {
            $"api/learners/{learner}/export", $"api/courses/{course}/status?at={at}", $"courses/{course}/status?at={at}", "api/overview", "overview",
            $"api/courses/{course}/learners/{learner}/mails/welcome?at={at}", $"courses/{course}/learners/{learner}/mails/welcome?at={at}",
            $"api/preview?courseId={course}&at={at}", $"api/courses/{course}/settings", new Uri(link).AbsolutePath.TrimStart('/'),
            "q/AAAAAAAAAAAAAAAAAAAAAA", "api/reports/qualiopi?format=json", "api/reports/qualiopi?format=csv",
        };
        foreach (var path in personal.Append("api/openapi.json").Append("api/questionnaires/qualiopi-hot").Append("api/learners/x/export"))
        {
            var response = await host.Http.GetAsync(path, TestContext.CancellationToken);
            Assert.IsTrue((int)response.StatusCode < 500, path);
            AssertHeaders(response, path);
            if (personal.Contains(path))
            {
                Assert.AreEqual("no-store", response.Headers.CacheControl?.ToString(), $"{path}: personal data is not kept by caches");
            }
        }

        // A refusal carries them too.
        using var refused = new StringContent("x", Encoding.UTF8, "text/plain");
        var problem = await host.Http.PostAsync("api/import/csv", refused, TestContext.CancellationToken);
        AssertHeaders(problem, "a 415");

        // The mail preview frames the mail (sandboxed, srcdoc): its policy lets the mail's images show, nothing run.
        var preview = await host.Http.GetAsync($"courses/{course}/learners/{learner}/mails/welcome?at={at}", TestContext.CancellationToken);
        var policy = string.Join(";", preview.Headers.GetValues("Content-Security-Policy"));
        StringAssert.Contains(policy, "img-src https: data:");
        Assert.IsFalse(policy.Contains("script-src", StringComparison.Ordinal), policy);
        StringAssert.Contains(await preview.Content.ReadAsStringAsync(TestContext.CancellationToken), "sandbox=\"\"");
    }

    [TestMethod]
    public async Task In_chromium_the_pages_break_no_policy_the_learners_form_works_and_a_cross_site_form_is_refused()
    {
        await using var host = await LocalHost.StartAsync(null, false, ("Platform:PublicUrl", "http://public.example"));
        var (course, learner) = await SeedAsync(host.Http);
        var page = await Chromium.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || message.Text.Contains("Refused to", StringComparison.Ordinal))
            {
                violations.Add(message.Text);
            }
        };
        var origin = host.Http.BaseAddress!.ToString().TrimEnd('/');

        await page.GotoAsync($"{origin}/courses/{course}/status?at=2033-03-07T10:00:00%2B01:00");
        await page.GotoAsync($"{origin}/courses/{course}/learners/{learner}/mails/welcome?at=2033-03-07T10:00:00%2B01:00");
        StringAssert.Contains(await page.FrameLocator("iframe[title='Partie HTML du message']").Locator("body").InnerTextAsync(), "Bonjour");

        // The learner's unsubscribe form, posted by Chromium from our page (no referrer, so Origin: null).
        var link = await host.App.Services.GetRequiredService<CourseNotification.Enrolments.OptOut>().LinkAsync(learner, TestContext.CancellationToken);
        await page.GotoAsync(origin + new Uri(link).AbsolutePath);
        await page.Locator("form button").ClickAsync();
        StringAssert.Contains(await page.Locator("main").InnerTextAsync(), "Vous ne recevrez plus de rappels.");
        Assert.IsTrue((await host.App.Services.GetRequiredService<LearnerStore>().GetAsync(learner, TestContext.CancellationToken))!.OptedOut, "the form worked");
        Assert.AreEqual(0, violations.Count, string.Join("\n", violations));

        // A page elsewhere posting a form at the local host: Chromium says cross-site, the host refuses.
        var attacker = $"attacker{course}@evil.example";
        await page.RouteAsync("http://evil.example/**", route => route.FulfillAsync(new() { ContentType = "text/html", Body = $"""
            <form method="post" action="{origin}/api/courses/{course}/learners/{learner}/mails/welcome/test">
            <input name="email" value="{attacker}"><button>Win a prize</button></form>
            """ }));
        await page.GotoAsync("http://evil.example/");
        var answer = await page.RunAndWaitForResponseAsync(() => page.Locator("button").ClickAsync(), r => r.Url.Contains("/mails/welcome/test", StringComparison.Ordinal));
        Assert.AreEqual(403, answer.Status);
        using var inbox = new MaildevInbox((await SharedServices.MaildevAsync()).WebUrl);
        Assert.AreEqual(0, (await inbox.ReadAsync(TestContext.CancellationToken)).Count(m => m.To == attacker), "nothing mailed to the attacker");
    }

    private static void AssertHeaders(HttpResponseMessage response, string what)
    {
        Assert.AreEqual("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")), what);
        Assert.AreEqual("no-referrer", string.Join(",", response.Headers.GetValues("Referrer-Policy")), what);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        StringAssert.StartsWith(policy, "default-src 'none'; style-src 'unsafe-inline'", what);
        StringAssert.Contains(policy, "form-action 'self'; frame-ancestors 'none'", what);
    }

    private async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string field, string what)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);
        Assert.AreEqual(status, response.StatusCode, $"{what}: {body}");
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType, what);
        var problem = JsonNode.Parse(body)!;
        Assert.AreEqual(field, (string?)problem["field"], what);
        return (string)problem["detail"]!;
    }

    private Task<HttpResponseMessage> PostFormAsync(HttpClient http, string path, string? origin, string? site, params (string Name, string Value)[] fields)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))) };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        if (site is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", site);
        }
        return http.SendAsync(request, TestContext.CancellationToken);
    }

    private async Task<(long Course, long Learner)> SeedAsync(HttpClient http)
    {
        var (course, learner) = (TestIds.Next(), TestIds.Next());
        (await http.PutAsJsonAsync("api/snapshots", Snapshots(course, learner), TestContext.CancellationToken)).EnsureSuccessStatusCode();
        return (course, learner);
    }

    private static JsonObject Snapshots(long course, long learner) => new()
    {
        ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Gestes et postures", ["startDate"] = "2033-03-07T00:00:00+01:00" }),
        ["learners"] = new JsonArray(new JsonObject { ["id"] = learner, ["email"] = $"l{learner}@example.org", ["firstName"] = "Léa", ["lastName"] = "Garnier", ["lang"] = "fr" }),
        ["enrolments"] = new JsonArray(new JsonObject { ["id"] = learner, ["courseId"] = course, ["learnerId"] = learner, ["start"] = 1994108400 }),
    };

    private static string FunctionsSource([CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "CourseNotification.Functions", "HttpTriggers.cs");

    [GeneratedRegex(@"HttpTrigger\(AuthorizationLevel\.(\w+), ""(\w+)"", Route = ""([^""]+)""\)")]
    private static partial Regex TriggerLevel();

    [GeneratedRegex(@"<td class=""\w+""><a href=""([^""]+)""")]
    private static partial Regex CellLink();

    [GeneratedRegex(@"\{(\w+):\w+\}")]
    private static partial Regex RouteConstraint();
}
