using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CourseNotification.Cli.Hosting;
using CourseNotification.Cli.Local;
using CourseNotification.Questionnaires;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Tests.Questionnaires;

/// <summary>
/// The mail-to-answer path over real HTTP, Azurite and maildev: a campaign's invitation goes out after
/// completion, its link opens the form, wrong answers come back with messages, right ones are stored
/// (anonymously), a second submission changes nothing, the learner who answered gets no reminder while
/// the one who did not does, and the link closes when it expires.
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed partial class QuestionnaireFlowTests
{
    private static readonly DateTimeOffset At = new(2031, 6, 2, 10, 0, 0, TimeSpan.FromHours(2));

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task An_invitation_is_answered_from_its_mail_once_and_only_the_silent_learner_is_reminded()
    {
        var clock = new ShiftableClock(At);
        await using var host = await LocalHost.StartAsync(clock, workers: true, ("Platform:PublicUrl", "http://public.example"));
        var http = host.Http;
        var (course, answering, silent) = (TestIds.Next(), TestIds.Next(), TestIds.Next());
        await SetUpCourseAsync(http, course, (answering, "fr"), (silent, "en"));

        using var inbox = new MaildevInbox((await SharedServices.MaildevAsync()).WebUrl);
        await ScanAsync(http, clock, At);
        var invitations = await inbox.WaitForAsync(m => m.To.StartsWith($"u{course}-", StringComparison.Ordinal) && LinkIn(m) is not null, 2, TimeSpan.FromSeconds(30), TestContext.CancellationToken);
        Assert.AreEqual(2, invitations.Count, "one invitation each");
        var french = invitations.Single(m => m.To == $"u{course}-{answering}@example.org");
        Assert.AreEqual("Inès, votre avis sur «\u00A0Management d'équipe\u00A0» en 3 minutes", french.Subject);
        StringAssert.Contains(french.Text, "Vos réponses sont anonymes");
        var path = LinkIn(french)!;
        StringAssert.Contains(french.Html, $"href=\"http://public.example{path}\"");

        var page = await http.GetAsync(path, TestContext.CancellationToken);
        var form = await page.Content.ReadAsStringAsync(TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, page.StatusCode);
        StringAssert.Contains(form, "<h1>Votre avis sur la formation</h1>");
        StringAssert.Contains(form, "<legend>1. Les objectifs de la formation ont été atteints. <span class=\"req\">(obligatoire)</span></legend>");
        StringAssert.Contains(form, $"<form method=\"post\" action=\"{path}\" novalidate>");

        // Nothing stored while anything is wrong; what was entered comes back.
        var invalid = await PostAsync(http, path, ("objectives", "4"), ("recommend", "11"), ("pace", "sideways"));
        var invalidPage = await invalid.Content.ReadAsStringAsync(TestContext.CancellationToken);
        Assert.AreEqual((HttpStatusCode)422, invalid.StatusCode);
        StringAssert.Contains(invalidPage, "6 réponses à compléter");
        StringAssert.Contains(invalidPage, "<p class=\"error\" id=\"e-recommend\">Choisissez une note de 0 à 10.</p>");
        StringAssert.Contains(invalidPage, "<p class=\"error\" id=\"e-pace\">Choisissez parmi les réponses proposées.</p>");
        StringAssert.Contains(invalidPage, "<p class=\"error\" id=\"e-content\">Merci de répondre à cette question.</p>");
        StringAssert.Contains(invalidPage, "name=\"objectives\" value=\"4\" checked>");
        var answers = host.App.Services.GetRequiredService<AnswerStore>();
        Assert.AreEqual(0, await CountAnswersAsync(answers, course), "nothing stored from an invalid submission");

        var accepted = await PostAsync(http, path, Complete("Très bien, merci à Chloé <b>!</b> Inès (ines@example.org)"));
        Assert.AreEqual(HttpStatusCode.OK, accepted.StatusCode, await accepted.Content.ReadAsStringAsync(TestContext.CancellationToken));
        StringAssert.Contains(await accepted.Content.ReadAsStringAsync(TestContext.CancellationToken), "Merci pour vos réponses&#xA0;!");
        var again = await PostAsync(http, path, Complete("encore"));
        Assert.AreEqual(HttpStatusCode.Conflict, again.StatusCode);
        StringAssert.Contains(await again.Content.ReadAsStringAsync(TestContext.CancellationToken), "une seconde fois et rien n&#x27;a été modifié");
        StringAssert.Contains(await http.GetStringAsync(path, TestContext.CancellationToken), "Merci, vous avez déjà répondu");

        var stored = new List<StoredAnswer>();
        await foreach (var batch in answers.ListPagesAsync(course, DateOnly.MinValue, DateOnly.MaxValue, TestContext.CancellationToken))
        {
            stored.AddRange(batch);
        }
        Assert.AreEqual(1, stored.Count, "one answer, the second submission changed nothing");
        Assert.IsNull(stored[0].LearnerId, "anonymous: no link to the person");
        Assert.AreEqual(("hot", "qualiopi-hot", "fr", false), (stored[0].Campaign, stored[0].Questionnaire, stored[0].Lang, stored[0].Test));
        Assert.AreEqual("Très bien, merci à Chloé <b>!</b> […] ([…])", stored[0].Values["comment"][0], "stored without the people of the course (Inès is enrolled, Chloé is not) nor addresses");
        Assert.AreEqual("9", stored[0].Values["recommend"][0]);

        // A week later: only the learner who did not answer is reminded, with a link of their own.
        await ScanAsync(http, clock, At.AddDays(7));
        var reminders = await inbox.WaitForAsync(m => m.To.StartsWith($"u{course}-", StringComparison.Ordinal) && m.Subject.StartsWith("A quick reminder", StringComparison.Ordinal), 1, TimeSpan.FromSeconds(30), TestContext.CancellationToken);
        Assert.AreEqual($"u{course}-{silent}@example.org", reminders.Single().To);
        var preview = await http.GetFromJsonAsync<JsonArray>($"api/preview?courseId={course}&at={Uri.EscapeDataString(At.AddDays(7).ToString("O"))}", TestContext.CancellationToken);
        var answeredReminder = preview!.Single(d => (long)d!["learnerId"]! == answering && (string)d["signal"]! == "questionnaire:hot:reminder1")!;
        Assert.AreEqual(("not_applicable", "answered the questionnaire"), ((string)answeredReminder["state"]!, (string)answeredReminder["reason"]!));
        await Task.Delay(1500, TestContext.CancellationToken);
        Assert.AreEqual(0, (await inbox.ReadAsync(TestContext.CancellationToken)).Count(m => m.To == $"u{course}-{answering}@example.org" && m.Subject.Contains("rappel", StringComparison.Ordinal)),
            "no reminder to the learner who answered");

        // The silent learner's links (invitation and reminder) both close 14 + 30 days after the invitation.
        var silentLink = LinkIn(reminders.Single())!;
        clock.MoveTo(At.AddDays(44).AddMinutes(-1));
        Assert.AreEqual(HttpStatusCode.OK, (await http.GetAsync(silentLink, TestContext.CancellationToken)).StatusCode);
        clock.MoveTo(At.AddDays(44).AddMinutes(1));
        var expired = await PostAsync(http, silentLink, Complete("late"));
        Assert.AreEqual(HttpStatusCode.Gone, expired.StatusCode);
        StringAssert.Contains(await expired.Content.ReadAsStringAsync(TestContext.CancellationToken), "This questionnaire is closed");
        Assert.AreEqual(1, await CountAnswersAsync(answers, course), "nothing stored from an expired link");
    }

    [TestMethod]
    public async Task Forged_and_malformed_links_get_a_readable_page_and_store_nothing()
    {
        await using var host = await LocalHost.StartAsync();
        foreach (var token in new[] { "AAAAAAAAAAAAAAAAAAAAAA", "short", "AAAAAAAAAAAAAAAAAAAAA%2F", new string('x', 300) })
        {
            var get = await host.Http.GetAsync($"q/{token}", TestContext.CancellationToken);
            var post = await host.Http.PostAsync($"q/{token}", new FormUrlEncodedContent([new("objectives", "5")]), TestContext.CancellationToken);
            Assert.AreEqual((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (get.StatusCode, post.StatusCode), token);
            StringAssert.Contains(await post.Content.ReadAsStringAsync(TestContext.CancellationToken), "Lien non valide");
        }
    }

    [TestMethod]
    public async Task A_test_send_reaches_the_given_address_with_a_working_link_whose_answers_are_marked_as_test()
    {
        await using var host = await LocalHost.StartAsync(null, workers: false, ("Platform:PublicUrl", "http://public.example"));
        var course = TestIds.Next();
        await SetUpCourseAsync(host.Http, course);
        var address = $"admin{course}@example.org";

        var refused = await host.Http.PostAsJsonAsync($"api/courses/{course}/questionnaires/nope/test", new JsonObject { ["email"] = address }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.NotFound, refused.StatusCode);
        StringAssert.Contains(await refused.Content.ReadAsStringAsync(TestContext.CancellationToken), "\"field\":\"campaign\"");
        var badAddress = await host.Http.PostAsJsonAsync($"api/courses/{course}/questionnaires/hot/test", new JsonObject { ["email"] = "not an address" }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, badAddress.StatusCode);

        var sent = await host.Http.PostAsJsonAsync($"api/courses/{course}/questionnaires/hot/test", new JsonObject { ["email"] = address, ["lang"] = "en" }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Accepted, sent.StatusCode, await sent.Content.ReadAsStringAsync(TestContext.CancellationToken));
        using var inbox = new MaildevInbox((await SharedServices.MaildevAsync()).WebUrl);
        var mail = (await inbox.WaitForAsync(m => m.To == address, 1, TimeSpan.FromSeconds(30), TestContext.CancellationToken)).Single();
        Assert.AreEqual("[Test] Test, your opinion of \"Management d'équipe\" in 3 minutes", mail.Subject);
        var path = LinkIn(mail)!;
        StringAssert.Contains(await host.Http.GetStringAsync(path, TestContext.CancellationToken), "Test send: your answers are marked as a test");
        Assert.AreEqual(HttpStatusCode.OK, (await PostAsync(host.Http, path, Complete("test"))).StatusCode);
        Assert.AreEqual(HttpStatusCode.Conflict, (await PostAsync(host.Http, path, Complete("test"))).StatusCode);

        var answers = host.App.Services.GetRequiredService<AnswerStore>();
        var stored = new List<StoredAnswer>();
        await foreach (var batch in answers.ListPagesAsync(course, DateOnly.MinValue, DateOnly.MaxValue, TestContext.CancellationToken))
        {
            stored.AddRange(batch);
        }
        Assert.AreEqual((1, true, "en"), (stored.Count, stored[0].Test, stored[0].Lang));
        var ledger = host.App.Services.GetRequiredService<LedgerStore>();
        Assert.AreEqual(0, (await ledger.ReadRangeAsync(course, 0, long.MaxValue, TestContext.CancellationToken)).Count, "no learner's state touched");
    }

    private async Task SetUpCourseAsync(HttpClient http, long course, params (long Id, string Lang)[] learners)
    {
        var completed = At.AddHours(-1).ToUnixTimeSeconds();
        (await http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Management d'équipe", ["startDate"] = At.AddDays(-30).ToString("O") }),
            ["learners"] = new JsonArray([.. learners.Select(l => new JsonObject { ["id"] = l.Id, ["email"] = $"u{course}-{l.Id}@example.org", ["lang"] = l.Lang, ["firstName"] = l.Lang == "fr" ? "Inès" : "Sam" })]),
            ["enrolments"] = new JsonArray([.. learners.Select(l => new JsonObject
            {
                ["id"] = l.Id, ["courseId"] = course, ["learnerId"] = l.Id, ["start"] = At.AddDays(-30).ToUnixTimeSeconds(),
                ["firstAccess"] = At.AddDays(-29).ToUnixTimeSeconds(), ["completedAt"] = completed,
            })]),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        var settings = await http.PutAsJsonAsync($"api/courses/{course}/settings", new JsonObject
        {
            ["campaigns"] = new JsonArray(new JsonObject { ["id"] = "hot", ["questionnaire"] = "qualiopi-hot", ["trigger"] = "completed", ["reminderDays"] = new JsonArray(7, 14) }),
        }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, settings.StatusCode, await settings.Content.ReadAsStringAsync(TestContext.CancellationToken));
    }

    private async Task ScanAsync(HttpClient http, ShiftableClock clock, DateTimeOffset at)
    {
        clock.MoveTo(at);
        (await http.PostAsync($"api/scan?at={Uri.EscapeDataString(at.ToString("O"))}", null, TestContext.CancellationToken)).EnsureSuccessStatusCode();
    }

    private Task<HttpResponseMessage> PostAsync(HttpClient http, string path, params (string Name, string Value)[] fields) =>
        http.PostAsync(path, new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))), TestContext.CancellationToken);

    private static (string, string)[] Complete(string comment) =>
        [("objectives", "5"), ("content", "4"), ("pace", "right"), ("trainer", "5"), ("materials", "3"), ("overall", "4"), ("recommend", "9"), ("comment", comment), ("unknown-field", "ignored")];

    private async Task<int> CountAnswersAsync(AnswerStore answers, long course)
    {
        var count = 0;
        await foreach (var batch in answers.ListPagesAsync(course, DateOnly.MinValue, DateOnly.MaxValue, TestContext.CancellationToken))
        {
            count += batch.Count;
        }
        return count;
    }

    /// <summary>The path of the questionnaire link in a mail's text, or null.</summary>
    private static string? LinkIn(ReceivedMail mail) => QuestionnaireLink().Match(mail.Text) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"http://public\.example(/q/[A-Za-z0-9_-]{22})")]
    private static partial Regex QuestionnaireLink();
}

/// <summary>Campaigns are checked when the course settings are saved; a refused save changes nothing and names each field.</summary>
[TestClass]
[TestCategory("storage")]
public sealed class CampaignSettingsTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Wrong_campaigns_are_refused_field_by_field_and_nothing_changes()
    {
        await using var host = await LocalHost.StartAsync();
        var course = TestIds.Next();
        var good = new JsonObject { ["campaigns"] = new JsonArray(new JsonObject { ["id"] = "hot" }) };
        Assert.AreEqual(HttpStatusCode.OK, (await host.Http.PutAsJsonAsync($"api/courses/{course}/settings", good, TestContext.CancellationToken)).StatusCode);

        var bad = new JsonObject
        {
            ["campaigns"] = new JsonArray(
                new JsonObject { ["id"] = "hot", ["questionnaire"] = "nope", ["reminderDays"] = new JsonArray(14, 7), ["delayDays"] = -1 },
                new JsonObject { ["id"] = "hot", ["linkLifetimeDays"] = 0 },
                new JsonObject { ["id"] = "Bad Id!" }),
            ["templates"] = new JsonObject { ["questionnaire:other"] = new JsonObject() },
        };
        var refused = await host.Http.PutAsJsonAsync($"api/courses/{course}/settings", bad, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, refused.StatusCode);
        var fields = (await refused.Content.ReadFromJsonAsync<JsonObject>(TestContext.CancellationToken))!["errors"]!.AsArray().Select(e => (string)e!["field"]!).ToList();
        CollectionAssert.AreEquivalent(
            new[] { "campaigns[0].questionnaire", "campaigns[0].delayDays", "campaigns[0].reminderDays[1]", "campaigns[1].linkLifetimeDays", "campaigns[1].id", "campaigns[2].id", "templates.questionnaire:other" },
            fields);
        var saved = await host.Http.GetFromJsonAsync<JsonObject>($"api/courses/{course}/settings", TestContext.CancellationToken);
        Assert.AreEqual("hot", (string)saved!["settings"]!["campaigns"]![0]!["id"]!);
        CollectionAssert.AreEqual(new[] { "questionnaire:hot", "questionnaire:hot:reminder1", "questionnaire:hot:reminder2" },
            saved["effective"]!["campaignSignals"]!.AsArray().Select(s => (string)s!).ToArray());
    }
}

/// <summary>Erasing a person drops the links issued to them and unties their named answers, which stay in the figures.</summary>
[TestClass]
[TestCategory("storage")]
public sealed class QuestionnaireErasureTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task After_erasure_the_persons_links_open_nothing_and_their_named_answers_are_anonymous()
    {
        await using var host = await LocalHost.StartAsync();
        var services = host.App.Services;
        var (course, learner, other) = (TestIds.Next(), TestIds.Next(), TestIds.Next());
        var named = QuestionnaireCatalog.Shipped[QuestionnaireCatalog.Hot] with { Id = $"named-{course}", Anonymous = false };
        await services.GetRequiredService<QuestionnaireCatalog>().SaveAsync(named, TestContext.CancellationToken);
        (await host.Http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Effacement" }),
            ["learners"] = new JsonArray(new JsonObject { ["id"] = learner, ["email"] = $"e{learner}@example.org" }),
            ["enrolments"] = new JsonArray(new JsonObject { ["id"] = learner, ["courseId"] = course, ["learnerId"] = learner }),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        var links = services.GetRequiredService<InvitationLinks>();
        Invitation InvitationOf(long person) => new(course, person, "hot", new DateOnly(2031, 6, 2), named.Id, "fr", DateTimeOffset.UtcNow.AddDays(30), Test: false);
        var answered = new Uri((await links.IssueAsync(InvitationOf(learner), TestContext.CancellationToken)).Url).AbsolutePath;
        var unanswered = new Uri((await links.IssueAsync(InvitationOf(learner), TestContext.CancellationToken)).Url).AbsolutePath;
        var someoneElse = new Uri((await links.IssueAsync(InvitationOf(other), TestContext.CancellationToken)).Url).AbsolutePath;
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["objectives"] = "5", ["content"] = "4", ["pace"] = "right", ["trainer"] = "5", ["materials"] = "4", ["overall"] = "5", ["recommend"] = "10", ["comment"] = "Signé : Marie",
        });
        Assert.AreEqual(HttpStatusCode.OK, (await host.Http.PostAsync(answered, form, TestContext.CancellationToken)).StatusCode);
        var answers = services.GetRequiredService<AnswerStore>();
        Assert.AreEqual(learner, (await answers.OfLearnerAsync(course, learner, TestContext.CancellationToken)).Single().LearnerId, "named: linked before erasure");
        var export = await host.Http.GetFromJsonAsync<JsonObject>($"api/learners/{learner}/export", TestContext.CancellationToken);
        Assert.AreEqual("10", (string)export!["courses"]![0]!["namedAnswers"]![0]!["values"]!["recommend"]![0]!, "the export includes named answers");

        Assert.AreEqual(HttpStatusCode.NoContent, (await host.Http.DeleteAsync($"api/learners/{learner}", TestContext.CancellationToken)).StatusCode);

        foreach (var path in new[] { answered, unanswered })
        {
            Assert.AreEqual(HttpStatusCode.NotFound, (await host.Http.GetAsync(path, TestContext.CancellationToken)).StatusCode, "the person's links open nothing");
        }
        Assert.AreEqual(HttpStatusCode.OK, (await host.Http.GetAsync(someoneElse, TestContext.CancellationToken)).StatusCode, "someone else's link still works");
        Assert.AreEqual(0, (await answers.OfLearnerAsync(course, learner, TestContext.CancellationToken)).Count, "no answer linked to the person");
        var remaining = new List<StoredAnswer>();
        await foreach (var batch in answers.ListPagesAsync(course, DateOnly.MinValue, DateOnly.MaxValue, TestContext.CancellationToken))
        {
            remaining.AddRange(batch);
        }
        Assert.AreEqual((1, (long?)null), (remaining.Count, remaining[0].LearnerId), "the answer still counts, anonymous");
    }
}
