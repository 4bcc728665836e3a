using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CourseNotification.Cli.Hosting;
using CourseNotification.Cli.Local;
using CourseNotification.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CourseNotification.Tests.Browser;

/// <summary>
/// The settings editor (<c>/courses/{id}/settings</c>) and the status grid's "send again", in headless
/// Chromium against the local host with its queue workers: a broken text refused next to its field and
/// kept, a valid one previewed as it is typed, saved, and carried by the next mail in maildev; the page
/// without JavaScript; a sent mail sent again exactly once; the teachers' pages checked by axe-core
/// against WCAG 2.1 A and AA. Screenshots at 1280 and 360 px go to
/// TestResults/screenshots (settings-editor-*.png, status-send-again*.png).
/// </summary>
[TestClass]
[TestCategory("storage")]
[TestCategory("browser")]
public sealed class SettingsEditorTests
{
    /// <summary>A Monday in Paris; the clock stands at 10:00 that morning, after the send hour.</summary>
    private static readonly DateTimeOffset Opening = new(2037, 9, 7, 0, 0, 0, TimeSpan.FromHours(2));

    public TestContext TestContext { get; set; } = null!;

    private async Task<(long Course, long Learner)> SeedAsync(LocalHost host)
    {
        var (course, learner, other) = (TestIds.Next(), TestIds.Next(), TestIds.Next());
        (await host.Http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Sécurité au travail", ["startDate"] = Opening.ToString("O") }),
            ["learners"] = new JsonArray(
                new JsonObject { ["id"] = learner, ["email"] = $"lea{learner}@example.org", ["firstName"] = "Léa", ["lastName"] = "Durand", ["lang"] = "fr", ["timeZone"] = "Europe/Paris" },
                new JsonObject { ["id"] = other, ["email"] = $"tom{other}@example.org", ["firstName"] = "Tom", ["lastName"] = "Martin", ["lang"] = "en", ["timeZone"] = "Europe/London" }),
            ["enrolments"] = new JsonArray(
                new JsonObject { ["id"] = learner, ["courseId"] = course, ["learnerId"] = learner, ["start"] = Opening.ToUnixTimeSeconds(), ["roles"] = new JsonArray("student") },
                new JsonObject { ["id"] = other, ["courseId"] = course, ["learnerId"] = other, ["start"] = Opening.ToUnixTimeSeconds(), ["roles"] = new JsonArray("student") }),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        return (course, learner);
    }

    private async Task ScanAndDrainAsync(LocalHost host, DateTimeOffset at)
    {
        var scan = await host.Http.PostAsync($"api/scan?at={Uri.EscapeDataString(at.ToString("O"))}", null, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Accepted, scan.StatusCode);
        Assert.IsTrue(await host.App.Services.GetRequiredService<Pipeline>().WaitUntilEmptyAsync(TimeSpan.FromSeconds(60), TestContext.CancellationToken), "the queues did not empty");
    }

    private async Task<JsonObject> OwnSettingsAsync(LocalHost host, long course) =>
        (JsonObject)(await host.Http.GetFromJsonAsync<JsonObject>($"api/courses/{course}/settings", TestContext.CancellationToken))!["settings"]!;

    [TestMethod]
    public async Task A_broken_text_is_refused_next_to_its_field_a_valid_one_is_previewed_as_typed_and_the_next_mail_carries_it()
    {
        var now = Opening.AddHours(10);
        var clock = new ShiftableClock(now);
        // With the service's key, as in Azure: the page, its script's fetches and its redirect carry ?code= on.
        const string Key = "editor-key-0123456789abcdef";
        await using var host = await LocalHost.StartAsync(clock, workers: true, ("Serve:Key", Key));
        host.Http.DefaultRequestHeaders.Add("x-functions-key", Key);
        var (course, learner) = await SeedAsync(host);
        var page = await Chromium.NewPageAsync(width: 1280, height: 900);
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || message.Text.Contains("Refused to", StringComparison.Ordinal))
            {
                violations.Add(message.Text);
            }
        };
        await page.GotoAsync(new Uri(host.Http.BaseAddress!, $"courses/{course}/settings?code={Key}").ToString());
        Assert.AreEqual("fr", await page.Locator("html").GetAttributeAsync("lang"), "the browser's language (fr-FR)");
        StringAssert.Contains(await page.Locator("h1").InnerTextAsync(), "Réglages des notifications");
        var subject = page.Locator("#f-fr-subject");
        Assert.AreEqual("Bienvenue dans «\u00A0{{courseName}}\u00A0», {{firstName}}", await subject.InputValueAsync(), "the default text, to start from");
        await Chromium.ScreenshotAsync(page, TestContext, "settings-editor-1280");

        // A placeholder nobody knows: refused, the message next to the field, the text kept, nothing saved.
        const string broken = "Bonjour {{prenom}}, bienvenue";
        await subject.FillAsync(broken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Enregistrer" }).ClickAsync();
        Assert.AreEqual("ligne 1\u00A0: champ de fusion inconnu «\u00A0prenom\u00A0»", await page.Locator("#f-fr-subject-error").InnerTextAsync(), "said in the page's French");
        Assert.AreEqual("true", await page.Locator("#f-fr-subject").GetAttributeAsync("aria-invalid"));
        StringAssert.Contains(await page.Locator("#f-fr-subject").GetAttributeAsync("aria-describedby") ?? "", "f-fr-subject-error");
        Assert.AreEqual(broken, await page.Locator("#f-fr-subject").InputValueAsync(), "the input is kept");
        StringAssert.Contains(await page.Locator("#problems").InnerTextAsync(), "Rien n’est enregistré");
        Assert.IsNull((await OwnSettingsAsync(host, course))["templates"], "nothing changed");
        await Chromium.ScreenshotAsync(page, TestContext, "settings-editor-refused-1280");

        // With script, the preview follows typing: for Léa, in her language, the old {{FIRSTNAME}} accepted.
        await page.Locator("#f-previewLearner").SelectOptionAsync(learner.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator("#f-fr-subject").FillAsync("{{FIRSTNAME}}, votre formation {{courseName}} commence");
        await Assertions.Expect(page.Locator("#preview-subject")).ToHaveTextAsync("Léa, votre formation Sécurité au travail commence", new() { Timeout = 15000 });
        await Assertions.Expect(page.Locator("#f-fr-subject-error")).ToHaveTextAsync("");
        // A placeholder inserted by click, where the cursor is.
        await page.Locator("#f-fr-text").FocusAsync();
        await page.Locator("#f-fr-text").EvaluateAsync("f => f.setSelectionRange(0, 0)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Insérer {{daysLeft}}" }).ClickAsync();
        StringAssert.StartsWith(await page.Locator("#f-fr-text").InputValueAsync(), "{{daysLeft}}Bonjour");
        await page.Locator("#f-fr-text").FillAsync((await page.Locator("#f-fr-text").InputValueAsync())["{{daysLeft}}".Length..]);

        await page.GetByRole(AriaRole.Button, new() { Name = "Enregistrer" }).ClickAsync();
        await Assertions.Expect(page.Locator(".saved")).ToBeVisibleAsync();
        StringAssert.Contains(await page.Locator(".changes").InnerTextAsync(), "administrator");
        StringAssert.Contains(await page.Locator(".changes").InnerTextAsync(), "templates.welcome.fr.subject");
        Assert.AreEqual("{{FIRSTNAME}}, votre formation {{courseName}} commence", (string?)(await OwnSettingsAsync(host, course))["templates"]!["welcome"]!["fr"]!["subject"]);
        Assert.IsNull((await OwnSettingsAsync(host, course))["templates"]!["welcome"]!["fr"]!["text"], "a part left as the default stays the default");
        Assert.AreEqual("Léa, votre formation Sécurité au travail commence", await page.Locator("#preview-subject").InnerTextAsync(), "the next preview");

        var phone = await Chromium.NewPageAsync(width: 360, height: 780);
        await phone.GotoAsync(new Uri(host.Http.BaseAddress!, $"courses/{course}/settings?code={Key}&lang=en").ToString());
        StringAssert.Contains(await phone.Locator("h1").InnerTextAsync(), "Notification settings");
        Assert.IsTrue(await phone.EvaluateAsync<bool>("document.documentElement.scrollWidth <= 360"), "nothing wider than a phone");
        await Chromium.ScreenshotAsync(phone, TestContext, "settings-editor-360");

        // The next mail: the scan sends Léa's welcome with the course's new subject.
        await ScanAndDrainAsync(host, clock.GetUtcNow());
        using var inbox = new MaildevInbox((await SharedServices.MaildevAsync()).WebUrl);
        var mail = (await inbox.WaitForAsync(m => m.To == $"lea{learner}@example.org", 1, TimeSpan.FromSeconds(30), TestContext.CancellationToken)).Single();
        Assert.AreEqual("Léa, votre formation Sécurité au travail commence", mail.Subject);
        Assert.AreEqual(0, violations.Count, "the page breaks no policy: " + string.Join("\n", violations));

        // A page elsewhere posting a form at the editor: refused, nothing changed.
        var origin = host.Http.BaseAddress!.ToString().TrimEnd('/');
        await page.RouteAsync("http://evil.example/**", route => route.FulfillAsync(new() { ContentType = "text/html", Body = $"""
            <form method="post" action="{origin}/courses/{course}/settings?code={Key}">
            <input name="action" value="save"><input name="fr.subject" value="Gagnez un prix"><button>Go</button></form>
            """ }));
        await page.GotoAsync("http://evil.example/");
        var answer = await page.RunAndWaitForResponseAsync(() => page.Locator("button").ClickAsync(), r => r.Url.Contains("/settings", StringComparison.Ordinal));
        Assert.AreEqual(403, answer.Status);
        Assert.AreEqual("{{FIRSTNAME}}, votre formation {{courseName}} commence", (string?)(await OwnSettingsAsync(host, course))["templates"]!["welcome"]!["fr"]!["subject"]);
    }

    [TestMethod]
    public async Task Without_javascript_the_preview_button_posts_the_form_and_saving_works()
    {
        await using var host = await LocalHost.StartAsync(new ShiftableClock(Opening.AddHours(10)), workers: false);
        var (course, _) = await SeedAsync(host);
        var page = await Chromium.NewPageAsync(width: 1280, height: 900, locale: "en-GB", javaScript: false);
        await page.GotoAsync(new Uri(host.Http.BaseAddress!, $"courses/{course}/settings").ToString());
        Assert.AreEqual("en", await page.Locator("html").GetAttributeAsync("lang"));
        Assert.AreEqual(0, await page.Locator("button.ph").CountAsync(), "no script: placeholders are listed to be typed");
        StringAssert.Contains(await page.Locator("#preview-subject").InnerTextAsync(), "Camille", "a sample learner by default");

        await page.Locator("#f-previewLang").SelectOptionAsync("en");
        await page.Locator("#f-en-subject").FillAsync("Hello {{firstName}}, {{courseName}} is open");
        await page.Locator("#f-firstCallDays").FillAsync("three");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        Assert.AreEqual("Hello Camille, Sécurité au travail is open", await page.Locator("#preview-subject").InnerTextAsync());
        Assert.AreEqual("“three” is not a whole number of days.", await page.Locator("#f-firstCallDays-error").InnerTextAsync());
        Assert.AreEqual("three", await page.Locator("#f-firstCallDays").InputValueAsync());
        Assert.IsNull((await OwnSettingsAsync(host, course))["templates"], "a preview saves nothing");

        await page.Locator("#f-firstCallDays").FillAsync("3");
        await page.Locator("#f-signal-inactive").SelectOptionAsync("false");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        Assert.AreEqual("Saved. The next mails use these settings.", await page.Locator(".saved").InnerTextAsync());
        var own = await OwnSettingsAsync(host, course);
        Assert.AreEqual(3, (int)own["firstCallDays"]!);
        Assert.IsFalse((bool)own["signals"]!["inactive"]!);
        Assert.AreEqual("Hello {{firstName}}, {{courseName}} is open", (string?)own["templates"]!["welcome"]!["en"]!["subject"]);
        Assert.AreEqual("3", await page.Locator("#f-firstCallDays").InputValueAsync(), "the saved values shown");
        await Chromium.ScreenshotAsync(page, TestContext, "settings-editor-no-script-1280");
    }

    [TestMethod]
    public async Task A_sent_mail_sent_again_goes_out_exactly_once_more()
    {
        var now = Opening.AddHours(10);
        var clock = new ShiftableClock(now);
        await using var host = await LocalHost.StartAsync(clock, workers: true);
        var (course, learner) = await SeedAsync(host);
        await ScanAndDrainAsync(host, clock.GetUtcNow());
        using var inbox = new MaildevInbox((await SharedServices.MaildevAsync()).WebUrl);
        var address = $"lea{learner}@example.org";
        Assert.AreEqual(1, (await inbox.WaitForAsync(m => m.To == address, 1, TimeSpan.FromSeconds(30), TestContext.CancellationToken)).Count);

        var page = await Chromium.NewPageAsync(width: 1280, height: 900);
        await page.GotoAsync(new Uri(host.Http.BaseAddress!, $"courses/{course}/status?active=1&hideEmpty=1").ToString());
        CollectionAssert.AreEqual(new[] { "Durand Léa", "Martin Tom" }, (await page.Locator("tbody th").AllInnerTextsAsync()).ToArray(), "by last name, then first name");
        var headers = await page.Locator("thead tr").First.Locator("th").AllInnerTextsAsync();
        var signals = await page.Locator("thead th[data-signal]").EvaluateAllAsync<string[]>("hs => hs.map(h => h.dataset.signal)");
        CollectionAssert.Contains(signals, "welcome");
        CollectionAssert.DoesNotContain(signals, "closed", "no access end: nothing to show for closed");
        CollectionAssert.Contains(headers.ToArray(), "Bienvenue\nwelcome", "each signal's name in the page's language, with its key");
        Assert.AreEqual("sticky", await page.Locator("tbody th").First.EvaluateAsync<string>("e => getComputedStyle(e).position"), "the learner column stays in view");
        await Chromium.ScreenshotAsync(page, TestContext, "status-send-again-1280");

        await page.GetByRole(AriaRole.Link, new() { Name = "Renvoyer le message «\u00A0Bienvenue\u00A0» à Durand Léa" }).ClickAsync();
        Assert.AreEqual("Renvoyer ce message\u00A0?", await page.Locator("h1").InnerTextAsync());
        var confirm = page.Url;
        var form = new Dictionary<string, string>
        {
            ["anchor"] = (await page.Locator("input[name=anchor]").InputValueAsync())!,
            ["repeat"] = (await page.Locator("input[name=repeat]").InputValueAsync())!,
        };
        var action = await page.Locator("form").GetAttributeAsync("action");
        await page.GetByRole(AriaRole.Button, new() { Name = "Oui, le renvoyer" }).ClickAsync();
        Assert.AreEqual("Renvoi demandé", await page.Locator("h1").InnerTextAsync());
        StringAssert.Contains(await page.Locator("main").InnerTextAsync(), "demandé par administrator");
        // The same confirmation posted a second time (a double click, a second tab): nothing more.
        var twice = await host.Http.PostAsync(action!.TrimStart('/'), new FormUrlEncodedContent(form), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.AreEqual(HttpStatusCode.Conflict, (await host.Http.GetAsync(new Uri(confirm), TestContext.CancellationToken)).StatusCode, "no longer a sent mail: asked, not gone yet");
        // The same confirmation opened again in the browser (a second tab, the back button): a page saying so, in French.
        Assert.AreEqual(409, (await page.GotoAsync(confirm))!.Status);
        Assert.AreEqual("Rien à renvoyer", await page.Locator("h1").InnerTextAsync());
        StringAssert.Contains(await page.Locator("main").InnerTextAsync(), "Rien n’a été modifié");

        var phone = await Chromium.NewPageAsync(width: 360, height: 780);
        await phone.GotoAsync(new Uri(host.Http.BaseAddress!, $"courses/{course}/status").ToString());
        StringAssert.Contains(await phone.Locator("tbody tr").First.Locator("td").First.GetAttributeAsync("class") ?? "", "due");
        await Chromium.ScreenshotAsync(phone, TestContext, "status-send-again-360");

        // The next scan sends it; the one after sends nothing more.
        clock.MoveTo(clock.GetUtcNow().AddMinutes(5));
        await ScanAndDrainAsync(host, clock.GetUtcNow());
        await ScanAndDrainAsync(host, clock.GetUtcNow());
        var mails = await inbox.WaitForAsync(m => m.To == address, 2, TimeSpan.FromSeconds(30), TestContext.CancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.CancellationToken);
        mails = [.. (await inbox.ReadAsync(TestContext.CancellationToken)).Where(m => m.To == address)];
        Assert.AreEqual(2, mails.Count, "the welcome, and once more");
        Assert.AreEqual(mails[0].Subject, mails[1].Subject);

        var status = await host.Http.GetFromJsonAsync<JsonObject>($"api/courses/{course}/status", TestContext.CancellationToken);
        var cell = status!["rows"]!.AsArray().Single(r => (long)r!["learnerId"]! == learner)!["cells"]!["welcome"]!;
        Assert.AreEqual(("sent", "sent again on request"), ((string?)cell["state"], (string?)cell["reason"]));
        Assert.AreEqual("administrator", (string?)status["rows"]![0]!["askedBy"]!["welcome"]);
    }

    [TestMethod]
    public async Task The_teachers_and_administrators_pages_break_no_WCAG_A_or_AA_rule_at_1280_and_360_px()
    {
        var clock = new ShiftableClock(Opening.AddHours(10));
        // An Azurite of its own: the site overview reads every course there is, not the other tests' too.
        await using var host = await LocalHost.StartOnOwnStorageAsync(clock);
        var (course, _) = await SeedAsync(host);
        await ScanAndDrainAsync(host, clock.GetUtcNow());
        var found = new List<string>();
        foreach (var width in new[] { 1280, 360 })
        {
            var page = await Chromium.NewPageAsync(width: width, height: 900, bypassCsp: true);
            async Task CheckAsync(string what) => found.AddRange((await Axe.ViolationsAsync(page)).Select(v => $"{what} at {width} px: {v}"));

            await page.GotoAsync(new Uri(host.Http.BaseAddress!, $"courses/{course}/status").ToString());
            await CheckAsync("status grid");
            var again = await page.Locator("a.again").First.GetAttributeAsync("href");
            var preview = await page.Locator("tbody td a").First.GetAttributeAsync("href");
            await page.GotoAsync(new Uri(host.Http.BaseAddress!, again!).ToString());
            await CheckAsync("send again");
            await page.GotoAsync(new Uri(host.Http.BaseAddress!, preview!).ToString());
            await CheckAsync("mail preview");
            await page.GotoAsync(new Uri(host.Http.BaseAddress!, $"courses/{course}/settings").ToString());
            await CheckAsync("settings editor");
            await page.Locator("#f-fr-subject").FillAsync("Bonjour {{prenom}}");
            await page.Locator("#f-firstCallDays").FillAsync("0");
            await page.GetByRole(AriaRole.Button, new() { Name = "Enregistrer" }).ClickAsync();
            await Assertions.Expect(page.Locator("#problems")).ToBeVisibleAsync();
            await CheckAsync("settings editor with its problems");
            await page.GotoAsync(new Uri(host.Http.BaseAddress!, $"courses/{course}/enter?grant=not-a-grant").ToString());
            await CheckAsync("refused grant");
            await page.GotoAsync(new Uri(host.Http.BaseAddress!, "overview").ToString());
            await CheckAsync("site overview");
        }
        Assert.IsEmpty(found, string.Join("\n", found));
    }
}
