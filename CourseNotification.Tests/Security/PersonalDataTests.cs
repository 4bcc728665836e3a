using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using CourseNotification.Cli.Hosting;
using CourseNotification.Cli.Local;
using CourseNotification.Questionnaires;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Tests.Security;

/// <summary>
/// A person's whole life in the service (enrolled, welcomed, invited, answering a named questionnaire
/// with a comment naming themselves), then Moodle's user_deleted: afterwards no table holds their name,
/// address or user name, no answer is linked to them; and the logs of all of it carry ids, never those.
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed partial class PersonalDataTests
{
    private static readonly DateTimeOffset At = new(2032, 4, 5, 10, 0, 0, TimeSpan.FromHours(2));

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task After_user_deleted_no_table_holds_the_person_and_no_log_ever_named_them()
    {
        var logs = new CapturedLogs();
        var clock = new ShiftableClock(At);
        await using var host = await LocalHost.StartAsync(clock, true, logs, ("Platform:PublicUrl", "http://public.example"));
        var (http, services) = (host.Http, host.App.Services);
        var (course, person) = (TestIds.Next(), TestIds.Next());
        var (first, last, username, email) = ("Ysolde", "Quintavalle", $"yquintavalle{person}", $"ysolde.quintavalle.{person}@example.org");
        var named = QuestionnaireCatalog.Shipped[QuestionnaireCatalog.Hot] with { Id = $"named-{course}", Anonymous = false };
        await services.GetRequiredService<QuestionnaireCatalog>().SaveAsync(named, TestContext.CancellationToken);
        (await http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Données personnelles", ["startDate"] = At.AddDays(-20).ToString("O") }),
            ["learners"] = new JsonArray(new JsonObject { ["id"] = person, ["username"] = username, ["email"] = email, ["firstName"] = first, ["lastName"] = last, ["lang"] = "fr" }),
            ["enrolments"] = new JsonArray(new JsonObject
            {
                ["id"] = person, ["courseId"] = course, ["learnerId"] = person, ["start"] = At.AddDays(-20).ToUnixTimeSeconds(),
                ["firstAccess"] = At.AddDays(-19).ToUnixTimeSeconds(), ["completedAt"] = At.AddHours(-2).ToUnixTimeSeconds(),
            }),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        (await http.PutAsJsonAsync($"api/courses/{course}/settings", new JsonObject
        {
            ["campaigns"] = new JsonArray(new JsonObject { ["id"] = "hot", ["questionnaire"] = named.Id }),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        (await http.PostAsync($"api/scan?at={Uri.EscapeDataString(At.ToString("O"))}", null, TestContext.CancellationToken)).EnsureSuccessStatusCode();

        using var inbox = new MaildevInbox((await SharedServices.MaildevAsync()).WebUrl);
        var invitation = (await inbox.WaitForAsync(m => m.To == email && m.Text.Contains("/q/", StringComparison.Ordinal), 1, TimeSpan.FromSeconds(30), TestContext.CancellationToken)).Single();
        var link = Link().Match(invitation.Text).Groups[1].Value;
        var answer = await http.PostAsync(link, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["objectives"] = "5", ["content"] = "5", ["pace"] = "right", ["trainer"] = "4", ["materials"] = "4", ["overall"] = "5", ["recommend"] = "9",
            ["comment"] = $"Merci ! {first} {last}, joignable à {email}",
        }), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, answer.StatusCode);
        var answers = services.GetRequiredService<AnswerStore>();
        Assert.AreEqual(1, (await answers.OfLearnerAsync(course, person, TestContext.CancellationToken)).Count, "named: linked before the erasure");
        Assert.IsTrue(await TablesMentionAsync(services, first, last, username, email), "the person is stored before the erasure (the search can find them)");

        (await http.PostAsJsonAsync("api/moodle/events", new JsonObject
        {
            ["eventname"] = @"\core\event\user_deleted", ["component"] = "core", ["objectid"] = person.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["relateduserid"] = person.ToString(System.Globalization.CultureInfo.InvariantCulture), ["userid"] = "2", ["courseid"] = "0",
            ["timecreated"] = At.AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["other"] = new JsonObject { ["username"] = username, ["email"] = email },
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();

        Assert.IsFalse(await TablesMentionAsync(services, first, last, username, email), "no table holds the name, address or user name");
        Assert.AreEqual(0, (await answers.OfLearnerAsync(course, person, TestContext.CancellationToken)).Count, "no answer linked to the person");
        var remaining = new List<StoredAnswer>();
        await foreach (var page in answers.ListPagesAsync(course, DateOnly.MinValue, DateOnly.MaxValue, TestContext.CancellationToken))
        {
            remaining.AddRange(page);
        }
        Assert.AreEqual("Merci ! […] […], joignable à […]", remaining.Single().Values["comment"][0], "the answer counts on, without the person in it");
        Assert.AreEqual(HttpStatusCode.NotFound, (await http.GetAsync(link, TestContext.CancellationToken)).StatusCode, "their link opens nothing");

        var leaks = logs.Lines.Where(line => new[] { first, last, username, email }.Any(secret => line.Contains(secret, StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.AreEqual(0, leaks.Count, "logs carry ids only:\n" + string.Join("\n", leaks));
        Assert.IsTrue(logs.Lines.Any(l => l.Contains($"learner {person}", StringComparison.Ordinal) || l.Contains($"LearnerId={person}", StringComparison.Ordinal)), "the logs do speak of the person, by id");
    }

    /// <summary>Whether any row of any table (keys or text values) contains one of the texts.</summary>
    private async Task<bool> TablesMentionAsync(IServiceProvider services, params string[] texts)
    {
        var storage = services.GetRequiredService<StorageAccount>();
        foreach (var name in StorageNames.Tables)
        {
            await foreach (var row in storage.Table(name).QueryAsync<TableEntity>(cancellationToken: TestContext.CancellationToken))
            {
                var values = row.Select(p => p.Value).OfType<string>().Append(row.PartitionKey).Append(row.RowKey);
                if (values.Any(v => texts.Any(t => v.Contains(t, StringComparison.OrdinalIgnoreCase))))
                {
                    return true;
                }
            }
        }
        return false;
    }

    [GeneratedRegex(@"http://public\.example(/q/[A-Za-z0-9_-]{22})")]
    private static partial Regex Link();
}
