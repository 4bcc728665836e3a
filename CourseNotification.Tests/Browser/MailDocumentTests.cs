using CourseNotification.Enrolments;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Templates;
using Microsoft.Extensions.Options;

namespace CourseNotification.Tests.Browser;

/// <summary>
/// A mail's HTML part opened by a viewer that never saw its MIME headers (a saved file in Chromium): the
/// document itself says it is UTF-8 and French, so "Sécurité" reads "Sécurité", and the preheader stays hidden.
/// </summary>
[TestClass]
[TestCategory("browser")]
public sealed class MailDocumentTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task A_saved_mail_reads_right_without_its_headers()
    {
        var start = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.FromHours(1));
        var course = new Course { Id = 12, ShortName = "SST", FullName = "Sécurité au travail", StartDate = start };
        var snapshot = new EnrolmentSnapshot
        {
            CourseId = 12, LearnerId = 501, Enrolments = [new Enrolment { Id = 1, Start = start, End = start.AddDays(60) }], Roles = ["student"],
            Profile = new LearnerProfile("fr", "Europe/Paris", false),
        };
        var settings = new SignalSettings { SiteZone = TimeZones.FindOrThrow("Europe/Paris"), LearnerRoles = new HashSet<string>(["student"]) };
        var learner = new Learner { Id = 501, Username = "jd", Email = "j@example.fr", FirstName = "Jérôme", LastName = "Dupont", Lang = "fr", TimeZone = "Europe/Paris" };
        var renderer = new MailRenderer(new TemplateCatalog(), Options.Create(new PlatformOptions { SiteName = "Formapro" }));
        var mail = renderer.Render(SignalKeys.End7, new MailContext(course, learner, new LearnerFacts(course, snapshot, settings, start.AddDays(53).AddHours(9)), "https://notify.example/u/1.x"));

        var file = Path.Combine(Directory.CreateTempSubdirectory("mail-").FullName, "end7.html");
        await File.WriteAllBytesAsync(file, System.Text.Encoding.UTF8.GetBytes(mail.Html), TestContext.CancellationToken);
        var page = await Chromium.NewPageAsync(width: 390, height: 800);
        await page.GotoAsync(new Uri(file).AbsoluteUri);

        Assert.AreEqual("UTF-8", await page.EvaluateAsync<string>("document.characterSet"));
        Assert.AreEqual("fr", await page.EvaluateAsync<string>("document.documentElement.lang"));
        Assert.AreEqual(mail.Subject, await page.TitleAsync());
        var text = await page.Locator("body").InnerTextAsync();
        StringAssert.Contains(text, "Bonjour Jérôme");
        StringAssert.Contains(text, "«\u00A0Sécurité au travail\u00A0»");
        var preheader = page.Locator("body > div").First;
        Assert.IsFalse(await preheader.IsVisibleAsync(), "the preheader is for the inbox, not the mail");
        StringAssert.StartsWith(await preheader.TextContentAsync(), "Votre accès à la formation");
        await Chromium.ScreenshotAsync(page, TestContext, "mail-end7-fr-390");
    }
}
