using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CourseNotification.Cli.Local;
using CourseNotification.Tests.Integration;
using Microsoft.Playwright;

namespace CourseNotification.Tests.Browser;

/// <summary>
/// The administrator's status page in headless Chromium: the grid with its totals, a cell's reason on
/// hover and on keyboard focus, the state and initial filters and the paging, then a cell's link to the
/// learner's mail preview (rendered, not sent) and its test send to an administrator's address; in the
/// browser's French, and in English when asked (<c>?lang=en</c>, carried through the filters).
/// Screenshots are saved as test artefacts.
/// </summary>
[TestClass]
[TestCategory("storage")]
[TestCategory("browser")]
public sealed class StatusPageTests
{
    private static readonly DateTimeOffset Opening = new(2037, 9, 7, 0, 0, 0, TimeSpan.FromHours(2));

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task An_administrator_filters_the_grid_reads_a_reason_previews_a_mail_and_sends_it_as_a_test()
    {
        await using var host = await LocalHost.StartAsync(null, workers: false, ("Platform:PublicUrl", "http://public.example"));
        var course = TestIds.Next();
        var learners = Enumerable.Range(0, 12).Select(i => (Id: TestIds.Next(), Last: i < 4 ? $"Durand{i}" : $"Martin{i}", Came: i % 3 == 0)).ToList();
        (await host.Http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Sécurité au travail", ["startDate"] = Opening.ToString("O") }),
            ["learners"] = new JsonArray([.. learners.Select(l => new JsonObject { ["id"] = l.Id, ["email"] = $"{l.Last}@example.org", ["firstName"] = "Léa", ["lastName"] = l.Last, ["lang"] = "fr", ["timeZone"] = "Europe/Paris" })]),
            ["enrolments"] = new JsonArray([.. learners.Select(l => new JsonObject
            {
                ["id"] = l.Id, ["courseId"] = course, ["learnerId"] = l.Id, ["start"] = Opening.ToUnixTimeSeconds(), ["roles"] = new JsonArray("student"),
                ["lastAccess"] = l.Came ? Opening.AddHours(8).ToUnixTimeSeconds() : null,
            })]),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        var at = Uri.EscapeDataString(Opening.AddHours(10).ToString("O"));
        var page = await Chromium.NewPageAsync(width: 1400, height: 900);

        await page.GotoAsync(new Uri(host.Http.BaseAddress!, $"courses/{course}/status?at={at}&pageSize=5").ToString());
        Assert.AreEqual("Sécurité au travail", await page.Locator("h1").InnerTextAsync());
        Assert.AreEqual(5, await page.Locator("tbody tr").CountAsync(), "five rows a page");
        Assert.AreEqual("fr", await page.Locator("html").GetAttributeAsync("lang"), "the browser's language");
        StringAssert.Contains(await page.Locator("thead tr").Nth(1).InnerTextAsync(), "à envoyer 8, sans objet 4", "totals over the whole course, not the page");
        StringAssert.Contains(await page.Locator("nav").InnerTextAsync(), "Page 1 sur 3");
        await Chromium.ScreenshotAsync(page, TestContext, "status-grid");

        // A cell's reason: on hover (title) and for the keyboard (focus, with the reason in its accessible name).
        var cell = page.Locator("tbody tr").First.Locator("td").First.Locator("a");
        await cell.HoverAsync();
        StringAssert.Contains(await cell.GetAttributeAsync("title"), "déjà venu dans le cours");
        await page.Locator("select[name=state]").FocusAsync();
        var focused = "";
        for (var tab = 0; tab < 8 && !focused.Contains("Bienvenue", StringComparison.Ordinal); tab++)
        {
            await page.Keyboard.PressAsync("Tab");
            focused = await page.EvaluateAsync<string>("document.activeElement.getAttribute('aria-label') || ''");
        }
        StringAssert.StartsWith(focused, "sans objet – Bienvenue\u00A0: sans objet (jour de référence 2037-09-07)\u00A0: déjà venu dans le cours", "the keyboard reaches a cell and hears what it shows, then its reason");

        await page.Locator("select[name=state]").SelectOptionAsync("due");
        await page.Locator("input[name=initial]").FillAsync("d");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filtrer" }).ClickAsync();
        var names = await page.Locator("tbody th").AllInnerTextsAsync();
        CollectionAssert.AreEquivalent(new[] { "Durand1 Léa", "Durand2 Léa" }, names.ToArray(), "due and D: the Durands who never came");
        await Chromium.ScreenshotAsync(page, TestContext, "status-grid-filtered");

        // The welcome cell leads to the mail that learner would get: rendered, not sent.
        await page.Locator("tbody tr").First.Locator("td").First.Locator("a").ClickAsync();
        StringAssert.Contains(await page.Locator("h1").InnerTextAsync(), "Bienvenue");
        Assert.AreEqual("due", await page.Locator("[data-state]").GetAttributeAsync("data-state"));
        StringAssert.Contains(await page.Locator("main").InnerTextAsync(), "message «\u00A0Bienvenue\u00A0»\u00A0: à envoyer");
        var frame = page.FrameLocator("iframe[title='Partie HTML du message']");
        StringAssert.Contains(await frame.Locator("body").InnerTextAsync(), "Bonjour Léa");
        StringAssert.Contains(await page.Locator("pre").InnerTextAsync(), "http://public.example/u/");
        await Chromium.ScreenshotAsync(page, TestContext, "mail-preview");

        var address = $"admin{course}@example.org";
        await page.Locator("input[name=email]").FillAsync(address);
        await page.GetByRole(AriaRole.Button, new() { Name = "Envoyer un test" }).ClickAsync();
        Assert.AreEqual("Test envoyé", await page.Locator("h1").InnerTextAsync());
        using var inbox = new MaildevInbox((await SharedServices.MaildevAsync()).WebUrl);
        var test = (await inbox.WaitForAsync(m => m.To == address, 1, TimeSpan.FromSeconds(30), TestContext.CancellationToken)).Single();
        StringAssert.StartsWith(test.Subject, "[Test] ");
        StringAssert.Contains(test.Text, "Bonjour Léa");
        var status = await host.Http.GetFromJsonAsync<JsonObject>($"api/courses/{course}/status?at={at}&state=sent", TestContext.CancellationToken);
        Assert.AreEqual(0, (int)status!["learners"]!, "a test send records nothing for the learner");

        // In English when asked: the language goes with the filters and the links.
        await page.GotoAsync(new Uri(host.Http.BaseAddress!, $"courses/{course}/status?at={at}&pageSize=5&lang=en").ToString());
        Assert.AreEqual("en", await page.Locator("html").GetAttributeAsync("lang"));
        StringAssert.Contains(await page.Locator("thead tr").Nth(1).InnerTextAsync(), "due 8, not applicable 4");
        await page.Locator("select[name=state]").SelectOptionAsync("due");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        StringAssert.Contains(await page.Locator("nav").InnerTextAsync(), "Page 1 of 2", "eight due, five a page");
        StringAssert.Contains(await page.Locator("tbody tr").First.Locator("td").First.Locator("a").GetAttributeAsync("title") ?? "", "due (anchor 2037-09-07): due");
        await page.Locator("tbody tr").First.Locator("td").First.Locator("a").ClickAsync();
        StringAssert.Contains(await page.Locator("main").InnerTextAsync(), "“Welcome” mail: due");
        await Chromium.ScreenshotAsync(page, TestContext, "mail-preview-en");
    }
}
