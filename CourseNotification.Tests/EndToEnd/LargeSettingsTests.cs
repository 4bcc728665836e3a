using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CourseNotification.Signals;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;

namespace CourseNotification.Tests.EndToEnd;

/// <summary>
/// What administrators write at length (a course's own mail texts, a questionnaire) is kept as JSON in one
/// row: longer than one Table property (32,768 characters) it is spread over several, as Azure requires
/// (<see cref="AzureLimits"/>); longer than a row holds it is refused by name, nothing written.
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed class LargeSettingsTests
{
    public TestContext TestContext { get; set; } = null!;

    /// <summary>A mail text of about <paramref name="chars"/> characters, accented (each é is six characters once saved as JSON).</summary>
    private static string Text(int chars) => string.Concat(Enumerable.Repeat("<p>Bonjour {{FIRSTNAME}}, votre accès à la formation est ouvert. Á bientôt !</p>\n", chars / 80 + 1))[..chars];

    [TestMethod]
    public async Task A_course_s_own_texts_for_every_signal_in_both_languages_are_saved_and_read_back_and_too_much_is_413()
    {
        await using var host = await LocalHost.StartAsync(null, workers: false);
        var course = TestIds.Next();
        var templates = new JsonObject();
        foreach (var signal in SignalKeys.All)
        {
            templates[signal] = new JsonObject
            {
                ["fr"] = new JsonObject { ["subject"] = "Votre formation", ["html"] = Text(3000), ["text"] = Text(2000) },
                ["en"] = new JsonObject { ["subject"] = "Your course", ["html"] = Text(3000), ["text"] = Text(2000) },
            };
        }
        var saved = await host.Http.PutAsJsonAsync($"api/courses/{course}/settings", new JsonObject { ["templates"] = templates }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, saved.StatusCode, await saved.Content.ReadAsStringAsync(TestContext.CancellationToken));
        var read = await host.Http.GetFromJsonAsync<JsonObject>($"api/courses/{course}/settings", TestContext.CancellationToken);
        Assert.AreEqual(Text(3000), (string)read!["settings"]!["templates"]![SignalKeys.Welcome]!["fr"]!["html"]!);
        Assert.AreEqual(Text(2000), (string)read["settings"]!["templates"]![SignalKeys.All[^1]]!["en"]!["text"]!);

        // Within the 1 MiB a request may have, but more than a row holds once saved: refused by name, the saved texts kept.
        var tooMuch = new JsonObject();
        foreach (var signal in SignalKeys.All)
        {
            tooMuch[signal] = new JsonObject { ["fr"] = new JsonObject { ["html"] = Text(20_000) }, ["en"] = new JsonObject { ["html"] = Text(20_000) } };
        }
        var refused = await host.Http.PutAsJsonAsync($"api/courses/{course}/settings", new JsonObject { ["templates"] = tooMuch }, TestContext.CancellationToken);
        var problem = await refused.Content.ReadAsStringAsync(TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode, problem);
        Assert.AreEqual("body", (string)JsonNode.Parse(problem)!["field"]!, problem);
        read = await host.Http.GetFromJsonAsync<JsonObject>($"api/courses/{course}/settings", TestContext.CancellationToken);
        Assert.AreEqual(Text(3000), (string)read!["settings"]!["templates"]![SignalKeys.Welcome]!["fr"]!["html"]!, "nothing of the refused settings written");
    }

    [TestMethod]
    public async Task A_questionnaire_longer_than_one_property_is_saved_and_read_back()
    {
        await using var host = await LocalHost.StartAsync(null, workers: false);
        var definition = (await host.Http.GetFromJsonAsync<JsonObject>("api/questionnaires/qualiopi-hot", TestContext.CancellationToken))!;
        var id = "long-" + TestIds.Next();
        definition["id"] = id;
        var questions = definition["questions"]!.AsArray();
        var original = questions.Select(q => q!.DeepClone()).ToList();
        for (var copy = 1; definition.ToJsonString().Length < 3 * LongText.PartChars; copy++)
        {
            foreach (var question in original)
            {
                var added = question.DeepClone().AsObject();
                added["id"] = $"{(string)question["id"]!}-{copy}";
                questions.Add(added);
            }
        }
        var saved = await host.Http.PutAsJsonAsync($"api/questionnaires/{id}", definition, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, saved.StatusCode, await saved.Content.ReadAsStringAsync(TestContext.CancellationToken));
        var read = await host.Http.GetFromJsonAsync<JsonObject>($"api/questionnaires/{id}", TestContext.CancellationToken);
        Assert.HasCount(questions.Count, read!["questions"]!.AsArray());
        Assert.AreEqual((string)questions[^1]!["id"]!, (string)read["questions"]![questions.Count - 1]!["id"]!);
    }
}
