using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CourseNotification.Questionnaires;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CourseNotification.Tests.Browser;

/// <summary>
/// The answer page in headless Chromium, as a learner on a phone sees it: no horizontal scrolling at
/// 360 px, every question a labelled group, answerable with the keyboard, validation messages next to
/// their questions with the input kept, a second submission and an expired link each on a clear page;
/// no WCAG 2.1 A or AA rule broken (axe-core).
/// Screenshots are saved as test artefacts (TestResults/screenshots).
/// </summary>
[TestClass]
[TestCategory("storage")]
[TestCategory("browser")]
public sealed class AnswerPageTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task A_french_learner_on_a_phone_fixes_what_is_missing_then_submits_once()
    {
        await using var host = await LocalHost.StartAsync();
        var course = TestIds.Next();
        var url = await IssueAsync(host, course, "fr", TimeSpan.FromDays(30));
        // The accessibility checker's script is let in; the pages' policy has tests of its own (LocalHostGuardTests).
        var page = await Chromium.NewPageAsync(width: 360, height: 740, bypassCsp: true);

        await page.GotoAsync(url);
        Assert.AreEqual("Votre avis sur la formation", await page.Locator("h1").InnerTextAsync());
        StringAssert.Contains(await page.Locator(".note").InnerTextAsync(), "Vos réponses sont anonymes");
        await AssertFitsAsync(page, "the form");
        Assert.AreEqual(1, await page.GetByRole(AriaRole.Group, new() { Name = "1. Les objectifs de la formation ont été atteints. (obligatoire)" }).CountAsync(), "a question is a named group");
        Assert.AreEqual(1, await page.GetByLabel("8. Un commentaire, une suggestion d'amélioration\u00A0?").CountAsync(), "the comment box has its label");
        await Chromium.ScreenshotAsync(page, TestContext, "answer-fr-360");
        Assert.IsEmpty(await Axe.ViolationsAsync(page), "WCAG 2.1 A and AA, the form");

        // Two answers, one of them with the keyboard only, then send: the rest is required.
        await page.Locator("#q-objectives").GetByLabel("4").CheckAsync();
        await page.Locator("#q-content input[value='1']").FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("ArrowRight");
        await page.GetByRole(AriaRole.Button, new() { Name = "Envoyer mes réponses" }).ClickAsync();
        StringAssert.Contains(await page.Locator(".summary").InnerTextAsync(), "5 réponses à compléter");
        Assert.AreEqual("Merci de répondre à cette question.", await page.Locator("#e-trainer").InnerTextAsync());
        Assert.AreEqual("e-trainer", await page.Locator("#q-trainer").GetAttributeAsync("aria-describedby"), "the message is tied to its question");
        Assert.IsTrue(await page.Locator("#q-objectives input[value='4']").IsCheckedAsync(), "input kept");
        Assert.IsTrue(await page.Locator("#q-content input[value='3']").IsCheckedAsync(), "the keyboard's choice kept");
        Assert.AreEqual(0, await page.Locator("#e-objectives").CountAsync(), "no message on an answered question");
        await AssertFitsAsync(page, "the form with its messages");
        await Chromium.ScreenshotAsync(page, TestContext, "answer-fr-360-problems");
        Assert.IsEmpty(await Axe.ViolationsAsync(page), "WCAG 2.1 A and AA, the form with its messages");

        var second = await Chromium.NewPageAsync(width: 360, height: 740);
        await second.GotoAsync(url);
        await FillAsync(page, "Rythme parfait.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Envoyer mes réponses" }).ClickAsync();
        Assert.AreEqual("Merci pour vos réponses\u00A0!", await page.Locator("h1").InnerTextAsync());
        await Chromium.ScreenshotAsync(page, TestContext, "answer-fr-360-thanks");
        Assert.IsEmpty(await Axe.ViolationsAsync(page), "WCAG 2.1 A and AA, the thanks");

        // The same form, open in another tab since before, sent after: refused, nothing changed.
        await FillAsync(second, "Une seconde fois");
        var response = await second.RunAndWaitForResponseAsync(
            () => second.GetByRole(AriaRole.Button, new() { Name = "Envoyer mes réponses" }).ClickAsync(), r => r.Request.Method == "POST");
        Assert.AreEqual("Vous avez déjà répondu", await second.Locator("h1").InnerTextAsync());
        Assert.AreEqual(409, response!.Status);
        Assert.AreEqual(1, await CountAnswersAsync(host, course), "one answer stored");
    }

    [TestMethod]
    public async Task An_english_learner_answers_in_english_and_an_expired_link_says_so()
    {
        await using var host = await LocalHost.StartAsync();
        var course = TestIds.Next();
        var page = await Chromium.NewPageAsync(width: 360, height: 740, locale: "en-GB");
        await page.GotoAsync(await IssueAsync(host, course, "en", TimeSpan.FromDays(30)));
        Assert.AreEqual("Your opinion of the course", await page.Locator("h1").InnerTextAsync());
        await AssertFitsAsync(page, "the English form");
        await Chromium.ScreenshotAsync(page, TestContext, "answer-en-360");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send my answers" }).ClickAsync();
        StringAssert.Contains(await page.Locator(".summary").InnerTextAsync(), "7 answers need your attention");
        Assert.AreEqual("Please answer this question.", await page.Locator("#e-objectives").InnerTextAsync());
        await FillAsync(page, "Clear and useful.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send my answers" }).ClickAsync();
        Assert.AreEqual("Thank you for your answers!", await page.Locator("h1").InnerTextAsync());

        var expired = await page.GotoAsync(await IssueAsync(host, course, "en", TimeSpan.FromDays(-1)));
        Assert.AreEqual(410, expired!.Status);
        Assert.AreEqual("This questionnaire is closed", await page.Locator("h1").InnerTextAsync());
        await Chromium.ScreenshotAsync(page, TestContext, "answer-en-360-expired");
        Assert.AreEqual(1, await CountAnswersAsync(host, course));
    }

    [TestMethod]
    [DataRow(390)]
    [DataRow(360)]
    [DataRow(1024)]
    public async Task The_page_names_its_course_and_the_0_to_10_scale_wraps_evenly(int width)
    {
        await using var host = await LocalHost.StartAsync();
        var course = TestIds.Next();
        (await host.Http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Sécurité au travail", ["startDate"] = "2031-01-06T00:00:00+01:00" }),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        var page = await Chromium.NewPageAsync(width: width, height: 800);
        await page.GotoAsync(await IssueAsync(host, course, "fr", TimeSpan.FromDays(30)));
        Assert.AreEqual("Formation «\u00A0Sécurité au travail\u00A0»", await page.Locator(".course").InnerTextAsync(), "which course the learner is asked about");

        // The labels of the 0-10 question, grouped by the line they sit on.
        var tops = new List<double>();
        foreach (var label in await page.Locator("#q-recommend label").AllAsync())
        {
            tops.Add(Math.Round((await label.BoundingBoxAsync())!.Y));
        }
        var lines = tops.GroupBy(t => t).Select(g => g.Count()).ToList();
        Assert.AreEqual(11, lines.Sum());
        Assert.IsTrue(lines.Max() - lines.Min() <= 1, $"at {width}px the scale wraps into lines of {string.Join(", ", lines)} labels: evenly, no \"10\" alone");
        await AssertFitsAsync(page, "the form");
        await Chromium.ScreenshotAsync(page, TestContext, $"answer-fr-{width}-scale");
    }

    /// <summary>A real invitation's link for a fresh course, expiring after the given time (negative: already expired).</summary>
    private static async Task<string> IssueAsync(LocalHost host, long course, string lang, TimeSpan validity)
    {
        var link = await host.App.Services.GetRequiredService<InvitationLinks>().IssueAsync(
            new Invitation(course, TestIds.Next(), "hot", new DateOnly(2031, 6, 2), QuestionnaireCatalog.Hot, lang, DateTimeOffset.UtcNow + validity, Test: false),
            CancellationToken.None);
        return new Uri(host.Http.BaseAddress!, new Uri(link.Url).AbsolutePath).ToString();
    }

    private static async Task FillAsync(IPage page, string comment)
    {
        foreach (var (question, value) in new[] { ("objectives", "5"), ("content", "4"), ("pace", "right"), ("trainer", "5"), ("materials", "4"), ("overall", "5"), ("recommend", "9") })
        {
            await page.Locator($"#q-{question} input[value='{value}']").CheckAsync();
        }
        await page.Locator("#f-comment").FillAsync(comment);
    }

    /// <summary>Nothing wider than the screen: no horizontal scrolling.</summary>
    private static async Task AssertFitsAsync(IPage page, string what)
    {
        var (content, screen) = (await page.EvaluateAsync<int>("document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("window.innerWidth"));
        Assert.IsTrue(content <= screen, $"{what} is {content}px wide on a {screen}px screen");
    }

    private static async Task<int> CountAnswersAsync(LocalHost host, long course)
    {
        var count = 0;
        await foreach (var page in host.App.Services.GetRequiredService<AnswerStore>().ListPagesAsync(course, DateOnly.MinValue, DateOnly.MaxValue, CancellationToken.None))
        {
            count += page.Count;
        }
        return count;
    }
}
