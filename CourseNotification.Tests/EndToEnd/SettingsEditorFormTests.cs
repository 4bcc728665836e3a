using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CourseNotification.Cli.Local;
using CourseNotification.Tests.Integration;

namespace CourseNotification.Tests.EndToEnd;

/// <summary>
/// The settings editor's form over HTTP, as a browser without script posts it: its checks said in the
/// page's language (days and texts, French by default, English when asked), and a save that another save
/// came before (two people on one course) refused with who changed what, the input kept, and accepted
/// once the person has seen it.
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed partial class SettingsEditorFormTests
{
    public TestContext TestContext { get; set; } = null!;

    private async Task<long> SeedAsync(LocalHost host)
    {
        var course = TestIds.Next();
        (await host.Http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Sécurité au travail", ["startDate"] = "2037-09-07T00:00:00+02:00" }),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        return course;
    }

    /// <summary>The form's fields as the page gives them (inputs, selected options, text areas), to post back as a browser would.</summary>
    private async Task<Dictionary<string, string>> FormAsync(LocalHost host, string url)
    {
        var html = await host.Http.GetStringAsync(url, TestContext.CancellationToken);
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match input in InputPattern().Matches(html))
        {
            if (!input.Value.Contains("type=\"checkbox\"", StringComparison.Ordinal) || input.Value.Contains(" checked", StringComparison.Ordinal))
            {
                form[input.Groups["name"].Value] = WebUtility.HtmlDecode(input.Groups["value"].Value);
            }
        }
        foreach (Match area in TextAreaPattern().Matches(html))
        {
            form[area.Groups["name"].Value] = WebUtility.HtmlDecode(area.Groups["text"].Value);
        }
        return form;
    }

    /// <summary>Posts the form; the page answered, as sent (<c>Raw</c>) and as read (<c>Html</c>, entities decoded).</summary>
    private async Task<(HttpStatusCode Status, string Html, string Raw)> PostAsync(LocalHost host, string url, Dictionary<string, string> form, string action = "save")
    {
        var response = await host.Http.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string>(form) { ["action"] = action }), TestContext.CancellationToken);
        var raw = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);
        return (response.StatusCode, WebUtility.HtmlDecode(raw), raw);
    }

    private static string ErrorOf(string html, string field) =>
        Regex.Match(html, $"<span class=\"error\" id=\"f-{Regex.Escape(field)}-error\"[^>]*>(?<m>[^<]*)</span>").Groups["m"].Value;

    [TestMethod]
    public async Task The_checks_speak_the_page_s_language_next_to_their_fields()
    {
        await using var host = await LocalHost.StartAsync(null, workers: false);
        var course = await SeedAsync(host);
        var url = $"courses/{course}/settings";
        var form = await FormAsync(host, url);
        form["firstCallDays"] = "0";
        form["inactivityMaxRepeats"] = "trois";
        form["fr.subject"] = "Bonjour {{prenom}}";

        var (status, html, _) = await PostAsync(host, url, form);
        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, status);
        StringAssert.Contains(html, "<html lang=\"fr\"", "the platform's language when the browser names none");
        Assert.AreEqual("0 n’est pas un nombre de jours de 1 à 365.", ErrorOf(html, "firstCallDays"));
        Assert.AreEqual("«\u00A0trois\u00A0» n’est pas un nombre entier de jours.", ErrorOf(html, "inactivityMaxRepeats"));
        Assert.AreEqual("ligne 1\u00A0: champ de fusion inconnu «\u00A0prenom\u00A0»", ErrorOf(html, "fr-subject"));
        StringAssert.Contains(html, "value=\"trois\"", "the input is kept");

        form["firstCallDays"] = "20";
        form["secondCallDays"] = "15";
        (status, html, _) = await PostAsync(host, $"{url}?lang=en", form);
        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, status);
        StringAssert.Contains(html, "<html lang=\"en\"");
        Assert.AreEqual("15 must be a number of days up to 365, after the first call (20).", ErrorOf(html, "secondCallDays"));
        Assert.AreEqual("line 1: unknown placeholder 'prenom'", ErrorOf(html, "fr-subject"));
        var settings = await host.Http.GetFromJsonAsync<JsonObject>($"api/courses/{course}/settings", TestContext.CancellationToken);
        Assert.IsNull(settings!["settings"]!["firstCallDays"], "nothing saved");
    }

    [TestMethod]
    public async Task A_save_after_another_person_s_is_refused_with_their_change_and_the_input_kept_then_accepted()
    {
        await using var host = await LocalHost.StartAsync(null, workers: false);
        var course = await SeedAsync(host);
        var url = $"courses/{course}/settings";
        // Two people open the editor of one course.
        var first = await FormAsync(host, url);
        var second = await FormAsync(host, url);
        Assert.AreEqual(first["version"], second["version"]);

        first["firstCallDays"] = "5";
        var (status, html, _) = await PostAsync(host, url, first);
        Assert.AreEqual(HttpStatusCode.OK, status);
        StringAssert.Contains(html, "<p class=\"saved\"", "saved, and back on the page");

        // The second saves what they saw: refused, told who changed what, their input kept.
        second["fr.subject"] = "Bienvenue, {{firstName}}";
        second["secondCallDays"] = "21";
        (status, html, var raw) = await PostAsync(host, url, second);
        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, status);
        StringAssert.Contains(html, "Rien n’est enregistré\u00A0: administrator a enregistré les réglages de ce cours");
        StringAssert.Contains(html, "(firstCallDays)", "the field the other save changed");
        StringAssert.Contains(html, "value=\"Bienvenue, {{firstName}}\"", "the input is kept");
        var stored = (await host.Http.GetFromJsonAsync<JsonObject>($"api/courses/{course}/settings", TestContext.CancellationToken))!["settings"]!;
        Assert.AreEqual((5, null), ((int?)stored["firstCallDays"], (int?)stored["secondCallDays"]), "the first save stands, nothing of the second");

        // Having seen it, they save again (the page now carries the stored version): accepted.
        var seen = WebUtility.HtmlDecode(Regex.Match(raw, "name=\"version\" value=\"(?<v>[^\"]*)\"").Groups["v"].Value);
        Assert.AreNotEqual(second["version"], seen);
        second["version"] = seen;
        (status, html, _) = await PostAsync(host, url, second);
        Assert.AreEqual(HttpStatusCode.OK, status);
        StringAssert.Contains(html, "<p class=\"saved\"");
        stored = (await host.Http.GetFromJsonAsync<JsonObject>($"api/courses/{course}/settings", TestContext.CancellationToken))!["settings"]!;
        Assert.AreEqual(21, (int?)stored["secondCallDays"]);
        Assert.AreEqual("Bienvenue, {{firstName}}", (string?)stored["templates"]!["welcome"]!["fr"]!["subject"]);

        // A preview is never refused for that: it saves nothing.
        (status, _, _) = await PostAsync(host, url, first, action: "preview");
        Assert.AreEqual(HttpStatusCode.OK, status);
    }

    [GeneratedRegex("<input type=\"(?:hidden|text|checkbox)\"[^>]*?name=\"(?<name>[^\"]+)\"(?:[^>]*?value=\"(?<value>[^\"]*)\")?[^>]*>")]
    private static partial Regex InputPattern();

    [GeneratedRegex("<textarea[^>]*?name=\"(?<name>[^\"]+)\"[^>]*>(?<text>[^<]*)</textarea>")]
    private static partial Regex TextAreaPattern();
}
