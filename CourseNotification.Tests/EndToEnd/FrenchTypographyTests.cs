using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CourseNotification.Enrolments;
using CourseNotification.Questionnaires;
using CourseNotification.Signals;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;
using CourseNotification.Tests.Templates;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Tests.EndToEnd;

/// <summary>
/// French typography in everything a French learner reads: a no-break space (U+00A0, or the narrow
/// U+202F) before <c>: ; ! ?</c> and inside « », so a line never starts with the punctuation of the
/// word before it. Mails (subject, text, and what the HTML shows), the shipped questionnaires, and the
/// pages served over HTTP: the questionnaire in each of its states, and the unsubscribe pages.
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed partial class FrenchTypographyTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void French_mails_keep_their_high_punctuation_with_its_word()
    {
        var problems = new List<string>();
        foreach (var signal in TemplateTests.EverySignalInBothLanguages.Select(row => (string)row[0]).Distinct())
        {
            // The usual day, and the last day (end reminders say something else then).
            foreach (var mail in new[] { TemplateTests.Render(signal, "fr"), TemplateTests.Render(signal, "fr", at: new DateTimeOffset(2026, 3, 5, 9, 0, 0, TimeSpan.FromHours(1))) })
            {
                problems.AddRange(Problems(mail.Subject, $"{signal} subject"));
                problems.AddRange(Problems(mail.Text, $"{signal} text"));
                problems.AddRange(Problems(VisibleText(mail.Html), $"{signal} html"));
            }
        }
        Assert.AreEqual(0, problems.Count, string.Join("\n", problems.Distinct()));
    }

    [TestMethod]
    public async Task French_questionnaires_and_pages_keep_their_high_punctuation_with_its_word()
    {
        await using var host = await LocalHost.StartAsync();
        var services = host.App.Services;
        var problems = new List<string>();
        foreach (var id in new[] { QuestionnaireCatalog.Hot, QuestionnaireCatalog.Cold })
        {
            var definition = (await services.GetRequiredService<QuestionnaireCatalog>().GetAsync(id, TestContext.CancellationToken))!;
            var texts = new[] { definition.Title["fr"] }
                .Concat(definition.Questions.SelectMany(q => new[] { q.Label["fr"], q.MinLabel?.GetValueOrDefault("fr"), q.MaxLabel?.GetValueOrDefault("fr") }
                    .Concat((q.Choices ?? []).Select(c => c.Label["fr"]))));
            problems.AddRange(texts.OfType<string>().SelectMany(t => Problems(t, $"{id} definition")));
        }

        var course = TestIds.Next();
        var learner = TestIds.Next();
        (await host.Http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Sécurité au travail", ["startDate"] = "2031-01-06T00:00:00+01:00" }),
            ["learners"] = new JsonArray(new JsonObject { ["id"] = learner, ["email"] = $"t{learner}@example.org", ["firstName"] = "Zoé", ["lastName"] = "Martin", ["lang"] = "fr", ["timeZone"] = "Europe/Paris" }),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        var pages = new List<(string What, HttpResponseMessage Response)>();
        async Task<string> IssueAsync(string questionnaire, TimeSpan validity, bool test = false)
        {
            var link = await services.GetRequiredService<InvitationLinks>().IssueAsync(
                new Invitation(course, TestIds.Next(), "hot", new DateOnly(2031, 6, 2), questionnaire, "fr", DateTimeOffset.UtcNow + validity, test), TestContext.CancellationToken);
            return new Uri(link.Url).AbsolutePath.TrimStart('/');
        }
        Task<HttpResponseMessage> PostAsync(string path, params (string, string)[] fields) =>
            host.Http.PostAsync(path, new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2))), TestContext.CancellationToken);

        var hot = await IssueAsync(QuestionnaireCatalog.Hot, TimeSpan.FromDays(30));
        pages.Add(("hot form", await host.Http.GetAsync(hot, TestContext.CancellationToken)));
        pages.Add(("cold form", await host.Http.GetAsync(await IssueAsync(QuestionnaireCatalog.Cold, TimeSpan.FromDays(30)), TestContext.CancellationToken)));
        pages.Add(("test form", await host.Http.GetAsync(await IssueAsync(QuestionnaireCatalog.Hot, TimeSpan.FromDays(30), test: true), TestContext.CancellationToken)));
        pages.Add(("form with problems", await PostAsync(hot, ("recommend", "11"))));
        (string, string)[] answers = [("objectives", "5"), ("content", "4"), ("pace", "right"), ("trainer", "5"), ("materials", "4"), ("overall", "5"), ("recommend", "9"), ("comment", "Bien.")];
        pages.Add(("thanks", await PostAsync(hot, answers)));
        pages.Add(("second submission", await PostAsync(hot, answers)));
        pages.Add(("answered link", await host.Http.GetAsync(hot, TestContext.CancellationToken)));
        pages.Add(("closed", await host.Http.GetAsync(await IssueAsync(QuestionnaireCatalog.Hot, TimeSpan.FromDays(-1)), TestContext.CancellationToken)));
        pages.Add(("unknown link", await host.Http.GetAsync("q/AAAAAAAAAAAAAAAAAAAAAA", TestContext.CancellationToken)));
        var unsubscribe = new Uri(await services.GetRequiredService<OptOut>().LinkAsync(learner, TestContext.CancellationToken)).AbsolutePath.TrimStart('/');
        pages.Add(("unsubscribe", await host.Http.GetAsync(unsubscribe, TestContext.CancellationToken)));
        pages.Add(("unsubscribed", await PostAsync(unsubscribe, ("confirm", "1"))));
        pages.Add(("unsubscribe link not valid", await host.Http.GetAsync("u/1.nope", TestContext.CancellationToken)));

        CollectionAssert.AreEqual(
            new[] { 200, 200, 200, 422, 200, 409, 200, 410, 404, 200, 200, 404 }, pages.Select(p => (int)p.Response.StatusCode).ToArray(), "every state of the pages was reached");
        foreach (var (what, response) in pages)
        {
            var html = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);
            StringAssert.Contains(html, "<html lang=\"fr\">", what);
            problems.AddRange(Problems(VisibleText(html), what));
        }
        Assert.AreEqual(0, problems.Count, string.Join("\n", problems.Distinct()));
    }

    /// <summary>Each place where French high punctuation or a guillemet lacks its no-break space, with what surrounds it.</summary>
    internal static IEnumerable<string> Problems(string text, string where)
    {
        const string NoBreak = "\u00A0\u202F";
        var plain = Url().Replace(text, "");
        for (var i = 0; i < plain.Length; i++)
        {
            var wrong = plain[i] switch
            {
                ':' or ';' or '!' or '?' or '»' => i == 0 || !NoBreak.Contains(plain[i - 1], StringComparison.Ordinal),
                '«' => i + 1 == plain.Length || !NoBreak.Contains(plain[i + 1], StringComparison.Ordinal),
                _ => false,
            };
            if (wrong)
            {
                var around = plain.Substring(Math.Max(0, i - 25), Math.Min(plain.Length, i + 25) - Math.Max(0, i - 25)).Replace('\n', ' ').Replace('\u00A0', '_');
                yield return $"{where}: '{plain[i]}' in \"{around}\"";
            }
        }
    }

    /// <summary>What a page or a mail shows: its text without markup, styles or comments, entities decoded.</summary>
    internal static string VisibleText(string html) =>
        WebUtility.HtmlDecode(Tag().Replace(Style().Replace(html, ""), ""));

    [GeneratedRegex(@"[a-z][a-z0-9+.-]*://[^\s<>""]+")]
    private static partial Regex Url();

    [GeneratedRegex(@"<style[^>]*>.*?</style>|<!--.*?-->", RegexOptions.Singleline)]
    private static partial Regex Style();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex Tag();
}
