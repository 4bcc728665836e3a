using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CourseNotification.Cli.Hosting;
using CourseNotification.Questionnaires;
using CourseNotification.Tests.Integration;

namespace CourseNotification.Tests.Questionnaires;

/// <summary>The shipped Qualiopi questionnaires, and adding or replacing definitions through the API with validation.</summary>
[TestClass]
[TestCategory("storage")]
public sealed class QuestionnaireTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void The_shipped_hot_and_cold_evaluations_are_valid_and_ask_what_Qualiopi_expects()
    {
        var hot = QuestionnaireCatalog.Shipped[QuestionnaireCatalog.Hot];
        var cold = QuestionnaireCatalog.Shipped[QuestionnaireCatalog.Cold];
        Assert.AreEqual(0, hot.Problems().Count() + cold.Problems().Count(), string.Join("; ", hot.Problems().Concat(cold.Problems())));
        CollectionAssert.AreEqual(new[] { "objectives", "content", "pace", "trainer", "materials", "overall", "recommend", "comment" }, hot.Questions.Select(q => q.Id).ToArray());
        CollectionAssert.AreEqual(new[] { "applied", "frequency", "impact", "obstacles", "materials", "moretraining", "overall", "recommend", "comment" }, cold.Questions.Select(q => q.Id).ToArray());
        Assert.AreEqual(("hot", "cold"), (hot.Kind, cold.Kind));
        Assert.IsTrue(hot.Questions.Single(q => q.Id == "recommend").Type == QuestionType.Nps && cold.Questions.Single(q => q.Id == "comment") is { Type: QuestionType.Text, Required: false });
        Assert.AreEqual("Les objectifs de la formation ont été atteints.", hot.Questions[0].Label["fr"]);
    }

    [TestMethod]
    public async Task A_definition_is_added_after_validation_and_read_back()
    {
        await using var host = await LocalHost.StartAsync(null, workers: false);
        var http = host.Http;

        var shipped = (await http.GetFromJsonAsync<JsonObject>("api/questionnaires/qualiopi-hot", TestContext.CancellationToken))!;
        Assert.AreEqual(8, shipped["questions"]!.AsArray().Count);
        Assert.AreEqual("scale5", (string?)shipped["questions"]![0]!["type"]);

        var id = $"atelier-{TestIds.Next()}";
        JsonObject Labels(string fr, string? en) => en is null ? new JsonObject { ["fr"] = fr } : new JsonObject { ["fr"] = fr, ["en"] = en };
        var bad = new JsonObject
        {
            ["id"] = id,
            ["title"] = Labels("Atelier", "Workshop"),
            ["questions"] = new JsonArray(
                new JsonObject { ["id"] = "q1", ["type"] = "scale5", ["label"] = Labels("Utile ?", null) },
                new JsonObject { ["id"] = "q1", ["type"] = "single", ["label"] = Labels("Lequel ?", "Which?") }),
        };
        var refused = await http.PutAsJsonAsync($"api/questionnaires/{id}", bad, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, refused.StatusCode);
        var fields = (await refused.Content.ReadFromJsonAsync<JsonObject>(TestContext.CancellationToken))!["errors"]!.AsArray().Select(e => (string)e!["field"]!).ToList();
        CollectionAssert.AreEquivalent(new[] { "questions[0].label.en", "questions[1].id", "questions[1].choices" }, fields);
        Assert.AreEqual(HttpStatusCode.NotFound, (await http.GetAsync($"api/questionnaires/{id}", TestContext.CancellationToken)).StatusCode, "nothing stored");

        var wrongType = await http.PutAsync($"api/questionnaires/{id}", new StringContent($$$"""{"id":"{{{id}}}","title":{"fr":"a","en":"b"},"questions":[{"id":"x","type":"stars","label":{"fr":"a","en":"b"}}]}""", System.Text.Encoding.UTF8, "application/json"), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, wrongType.StatusCode);
        StringAssert.Contains(await wrongType.Content.ReadAsStringAsync(TestContext.CancellationToken), "\"field\":\"questions[0].type\"");

        var good = new JsonObject
        {
            ["id"] = id,
            ["title"] = Labels("Atelier", "Workshop"),
            ["anonymous"] = false,
            ["questions"] = new JsonArray(
                new JsonObject { ["id"] = "useful", ["type"] = "scale5", ["required"] = true, ["label"] = Labels("Utile ?", "Useful?") },
                new JsonObject { ["id"] = "format", ["type"] = "single", ["label"] = Labels("Format préféré", "Preferred format"), ["choices"] = new JsonArray(
                    new JsonObject { ["id"] = "onsite", ["label"] = Labels("Présentiel", "On site") },
                    new JsonObject { ["id"] = "remote", ["label"] = Labels("À distance", "Remote") }) }),
        };
        Assert.AreEqual(HttpStatusCode.OK, (await http.PutAsJsonAsync($"api/questionnaires/{id}", good, TestContext.CancellationToken)).StatusCode);
        var read = (await http.GetFromJsonAsync<JsonObject>($"api/questionnaires/{id}", TestContext.CancellationToken))!;
        Assert.IsFalse((bool)read["anonymous"]!);
        Assert.AreEqual("remote", (string?)read["questions"]![1]!["choices"]![1]!["id"]);
        Assert.AreEqual(HttpStatusCode.BadRequest, (await http.PutAsJsonAsync("api/questionnaires/other-id", good, TestContext.CancellationToken)).StatusCode, "the body's id is the route's");

        // The list: the shipped ones and the stored one, by id, with titles and question counts.
        var listed = (await http.GetFromJsonAsync<JsonArray>("api/questionnaires", TestContext.CancellationToken))!;
        var ids = listed.Select(q => (string)q!["id"]!).ToList();
        CollectionAssert.IsSubsetOf(new[] { "qualiopi-cold", "qualiopi-hot", id }, ids);
        CollectionAssert.AreEqual(ids.Order(StringComparer.Ordinal).ToList(), ids, "by id");
        var stored = listed.Single(q => (string)q!["id"]! == id)!;
        Assert.AreEqual(("Workshop", 2, false, false, 0), ((string)stored["title"]!["en"]!, (int)stored["questions"]!, (bool)stored["shipped"]!, (bool)stored["anonymous"]!, stored["campaigns"]!.AsArray().Count));
        Assert.AreEqual((8, "hot"), ((int)listed.Single(q => (string)q!["id"]! == "qualiopi-hot")!["questions"]!, (string)listed.Single(q => (string)q!["id"]! == "qualiopi-hot")!["kind"]!));
    }
}
