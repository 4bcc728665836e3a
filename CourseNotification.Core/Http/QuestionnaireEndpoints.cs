using System.Text.Json;
using CourseNotification.Questionnaires;
using Microsoft.AspNetCore.Http;
using CourseNotification.Settings;
using CourseNotification.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CourseNotification.Http;

/// <summary>
/// <c>GET /api/questionnaires</c>: every questionnaire with the campaigns that use it.
/// <c>GET/PUT /api/questionnaires/{id}</c>: read a definition (stored or shipped); add or replace one,
/// checked first. <c>POST /api/courses/{id}/questionnaires/{campaign}/test</c>: a campaign's test send.
/// </summary>
public sealed class QuestionnaireEndpoints(
    QuestionnaireCatalog catalog, CourseSettingsStore courseSettings, TestInvitation testInvitation, IOptions<PlatformOptions> platform, ILogger<QuestionnaireEndpoints> logger)
{
    /// <summary>
    /// Every questionnaire, shipped and stored (a stored one with a shipped id replaces it), by id: its
    /// titles, number of questions, kind, and the campaigns of every course that name it.
    /// </summary>
    public async Task<IResult> ListAsync(CancellationToken cancellationToken)
    {
        var definitions = await catalog.ListAsync(cancellationToken);
        var uses = new Dictionary<string, List<QuestionnaireUse>>(StringComparer.Ordinal);
        await foreach (var (courseId, settings) in courseSettings.ListAsync(cancellationToken))
        {
            foreach (var campaign in settings.Campaigns ?? [])
            {
                if (!uses.TryGetValue(campaign.Questionnaire, out var list))
                {
                    uses[campaign.Questionnaire] = list = [];
                }
                list.Add(new QuestionnaireUse(courseId, campaign.Id, campaign.Trigger, campaign.ActivityId, campaign.ActivityLabel, campaign.Enabled));
            }
        }
        var listed = definitions.Select(d => new QuestionnaireSummary(
            d.Id, d.Title, d.Questions.Count, d.Kind, d.Anonymous, QuestionnaireCatalog.Shipped.ContainsKey(d.Id),
            [.. (uses.GetValueOrDefault(d.Id) ?? []).OrderBy(u => u.CourseId).ThenBy(u => u.Campaign, StringComparer.Ordinal)])).ToList();
        return Results.Json(listed, QuestionnaireCatalog.Json);
    }

    public async Task<IResult> GetAsync(string id, CancellationToken cancellationToken) =>
        await catalog.GetAsync(id, cancellationToken) is { } definition
            ? Results.Json(definition, QuestionnaireCatalog.Json)
            : Problems.Field(404, "id", $"No questionnaire '{id}'.");

    public async Task<IResult> PutAsync(string id, HttpRequest request, CancellationToken cancellationToken)
    {
        var (json, _, problem) = await JsonBody.ReadAsync(request, 256 * 1024, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        QuestionnaireDefinition? definition;
        try
        {
            definition = json.Deserialize<QuestionnaireDefinition>(QuestionnaireCatalog.Json);
        }
        catch (JsonException e)
        {
            return JsonBody.ShapeProblem(e, "a questionnaire definition");
        }
        if (definition is null)
        {
            return Problems.Field(400, "body", "A questionnaire definition is expected.");
        }
        if (definition.Id != id)
        {
            return Problems.Field(400, "id", $"The body's id '{definition.Id}' is not the route's '{id}'.");
        }
        var problems = definition.Problems().ToList();
        if (problems.Count > 0)
        {
            return Results.Problem(statusCode: 400, title: "The questionnaire is not valid", detail: string.Join(" ", problems.Select(p => $"{p.Field}: {p.Problem}")),
                extensions: new Dictionary<string, object?> { ["field"] = problems[0].Field, ["errors"] = problems.Select(p => new { field = p.Field, message = p.Problem }).ToList() });
        }
        if (!await catalog.SaveAsync(definition, cancellationToken))
        {
            return Problems.Field(413, "body", $"This questionnaire is too large to store (at most {LongText.MaxChars} characters once saved as JSON).");
        }
        logger.LogInformation("Questionnaire {QuestionnaireId} saved with {QuestionCount} questions", definition.Id, definition.Questions.Count);
        return Results.Json(definition, QuestionnaireCatalog.Json);
    }

    /// <summary>Body: <c>{"email": "...", "lang": "fr"}</c> (lang optional: the site's language). 202 once the mail is handed to the provider.</summary>
    public async Task<IResult> PostTestAsync(long courseId, string campaign, HttpRequest request, CancellationToken cancellationToken)
    {
        var (json, _, problem) = await JsonBody.ReadAsync(request, 4 * 1024, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        if (json is not System.Text.Json.Nodes.JsonObject body || body["email"]?.GetValueKind() != JsonValueKind.String)
        {
            return Problems.Field(400, "email", "A JSON object with the address to send the test to is expected: {\"email\": \"...\"}.");
        }
        if (body["lang"] is { } langNode && langNode.GetValueKind() != JsonValueKind.String)
        {
            return Problems.Field(400, "lang", "The language is a string (fr or en).");
        }
        var lang = body["lang"]?.GetValue<string>() ?? platform.Value.DefaultLanguage;
        var refused = await testInvitation.SendAsync(new TestInvitationRequest(courseId, campaign, body["email"]!.GetValue<string>(), lang), cancellationToken);
        return refused is { } r
            ? Problems.Field(r.Status, r.Field, $"No test sent: {r.Message}")
            : Results.Accepted(value: new { courseId, campaign, lang, sent = true });
    }
}

/// <summary>One questionnaire of <c>GET /api/questionnaires</c>; <c>Shipped</c>: one of the Qualiopi ones this service ships (perhaps replaced by a stored one).</summary>
public sealed record QuestionnaireSummary(
    string Id, IReadOnlyDictionary<string, string> Title, int Questions, string Kind, bool Anonymous, bool Shipped, IReadOnlyList<QuestionnaireUse> Campaigns);

/// <summary>A campaign that sends a questionnaire: its course, id, trigger (with the activity and its name for an activity trigger) and switch.</summary>
public sealed record QuestionnaireUse(long CourseId, string Campaign, CampaignTrigger Trigger, long? ActivityId, string? Activity, bool Enabled);
