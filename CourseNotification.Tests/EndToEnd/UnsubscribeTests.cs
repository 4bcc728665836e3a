using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CourseNotification.Cli.Hosting;
using CourseNotification.Cli.Local;
using CourseNotification.Signals;
using CourseNotification.Tests.Integration;

namespace CourseNotification.Tests.EndToEnd;

/// <summary>Every mail carries a one-click unsubscribe; following it (page, then confirm) or one-click POST stops all reminders.</summary>
[TestClass]
[TestCategory("storage")]
public sealed class UnsubscribeTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task The_link_in_a_mail_opts_the_learner_out_after_confirmation_and_the_engine_respects_it()
    {
        var at = new DateTimeOffset(2031, 5, 5, 10, 0, 0, TimeSpan.FromHours(2));
        await using var host = await LocalHost.StartAsync(new ShiftableClock(at), workers: true, ("Platform:PublicUrl", "http://public.example"));
        var http = host.Http;
        var (course, learner) = (TestIds.Next(), TestIds.Next());
        (await http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Désinscription", ["startDate"] = at.AddHours(-9).ToString("O") }),
            ["learners"] = new JsonArray(new JsonObject { ["id"] = learner, ["email"] = $"u{learner}@example.org", ["lang"] = "fr", ["firstName"] = "Inès" }),
            ["enrolments"] = new JsonArray(new JsonObject { ["id"] = learner, ["courseId"] = course, ["learnerId"] = learner, ["start"] = at.AddHours(-9).ToUnixTimeSeconds() }),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        (await http.PostAsync($"api/scan?at={Uri.EscapeDataString(at.ToString("O"))}", null, TestContext.CancellationToken)).EnsureSuccessStatusCode();

        using var inbox = new MaildevInbox((await SharedServices.MaildevAsync()).WebUrl);
        var mails = await inbox.WaitForAsync(m => m.To == $"u{learner}@example.org", 1, TimeSpan.FromSeconds(30), TestContext.CancellationToken);
        Assert.AreEqual(1, mails.Count, "welcome mail");
        var mail = mails[0];
        var source = await inbox.SourceAsync(mail.Id, TestContext.CancellationToken);
        var header = source.Headers["List-Unsubscribe"];
        StringAssert.StartsWith(header, "<http://public.example/u/");
        Assert.AreEqual("List-Unsubscribe=One-Click", source.Headers["List-Unsubscribe-Post"]);
        var path = new Uri(header.Trim('<', '>')).AbsolutePath;
        StringAssert.Contains(mail.Text, "http://public.example" + path, "the same link in the text part");

        var page = await http.GetAsync(path, TestContext.CancellationToken);
        var html = await page.Content.ReadAsStringAsync(TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, page.StatusCode);
        StringAssert.Contains(html, "Ne plus recevoir de rappels&#xA0;?");
        StringAssert.Contains(html, $"<form method=\"post\" action=\"{path}\">");
        Assert.AreEqual(DecisionState.Scheduled, await FirstCallStateAsync(http, course, learner, at.AddDays(1)), "a GET (a link scanner) changes nothing");

        var forged = await http.PostAsync(path[..^3] + "AAA", null, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.NotFound, forged.StatusCode);
        StringAssert.Contains(await forged.Content.ReadAsStringAsync(TestContext.CancellationToken), "Lien non valide");

        var oneClick = await http.PostAsync(path, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, oneClick.StatusCode);
        StringAssert.Contains(await oneClick.Content.ReadAsStringAsync(TestContext.CancellationToken), "Vous ne recevrez plus de rappels.");
        Assert.AreEqual(DecisionState.NotApplicable, await FirstCallStateAsync(http, course, learner, at.AddDays(1)), "no more reminders");
    }

    /// <summary>The first call's state in the preview: scheduled while the learner is a candidate.</summary>
    private async Task<DecisionState> FirstCallStateAsync(HttpClient http, long course, long learner, DateTimeOffset at)
    {
        var preview = await http.GetFromJsonAsync<JsonArray>($"api/preview?courseId={course}&at={Uri.EscapeDataString(at.ToString("O"))}", TestContext.CancellationToken);
        var firstCall = preview!.Single(d => (long)d!["learnerId"]! == learner && (string)d["signal"]! == SignalKeys.FirstCall)!;
        return Enum.Parse<DecisionState>(((string)firstCall["state"]!).Replace("_", "", StringComparison.Ordinal), ignoreCase: true);
    }
}
