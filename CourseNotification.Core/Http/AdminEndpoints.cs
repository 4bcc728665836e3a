using System.Text.Json;
using System.Text.Json.Nodes;
using CourseNotification.Enrolments;
using CourseNotification.Questionnaires;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;
using CourseNotification.Templates;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Http;

/// <summary>
/// The administrator's routes: a course's own settings (read, and replace with validation: a refused
/// save changes nothing and says why), and GDPR export and erasure of a person.
/// </summary>
public sealed class AdminEndpoints(
    CourseSettingsStore settingsStore,
    SignalSettingsProvider settingsProvider,
    LearnerStore learners,
    SnapshotStore snapshots,
    LedgerStore ledger,
    LearnerErasure erasure,
    QuestionnaireCatalog catalog,
    AnswerStore answers,
    TimeProvider clock,
    ILogger<AdminEndpoints> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    /// <summary>The course settings field behind each day-count rule.</summary>
    private static readonly Dictionary<string, string> CourseFieldOf = new()
    {
        ["FirstCall__Days"] = "firstCallDays",
        ["SecondCall__Days"] = "secondCallDays",
        ["Inactive__Days"] = "inactivityDays",
        ["Inactive__RepeatDays"] = "inactivityRepeatDays",
        ["Inactive__MaxRepeats"] = "inactivityMaxRepeats",
    };

    /// <summary>GET /api/courses/{id}/settings: the course's own values and the effective ones.</summary>
    public async Task<IResult> GetCourseSettingsAsync(long courseId, CancellationToken cancellationToken)
    {
        var own = await settingsStore.GetAsync(courseId, cancellationToken) ?? new CourseSettings();
        return Results.Ok(new { courseId, settings = own, effective = Effective(settingsProvider.Platform.For(own)) });
    }

    /// <summary>PUT /api/courses/{id}/settings: replaces the course's own settings after checking all of them.</summary>
    public async Task<IResult> PutCourseSettingsAsync(long courseId, HttpRequest request, CancellationToken cancellationToken)
    {
        var (json, _, problem) = await JsonBody.ReadAsync(request, 1024 * 1024, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        CourseSettings settings;
        try
        {
            settings = json.Deserialize<CourseSettings>(Json) ?? new CourseSettings();
        }
        catch (JsonException e)
        {
            return JsonBody.ShapeProblem(e, "course settings");
        }
        var questionnaires = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in (settings.Campaigns ?? []).Select(c => c?.Questionnaire).OfType<string>().Distinct())
        {
            if (await catalog.GetAsync(id, cancellationToken) is not null)
            {
                questionnaires.Add(id);
            }
        }
        var problems = ProblemsOf(settings, questionnaires.Contains).ToList();
        if (problems.Count > 0)
        {
            return Results.Problem(statusCode: 400, title: "The settings are not valid", detail: string.Join(" ", problems.Select(p => $"{p.Field}: {p.Message}")),
                extensions: new Dictionary<string, object?> { ["field"] = problems[0].Field, ["errors"] = problems.Select(p => new { field = p.Field, message = p.Message }).ToList() });
        }
        var before = await settingsStore.GetAsync(courseId, cancellationToken);
        var change = new SettingsChange(request.HttpContext.DisplayName(), clock.GetUtcNow(), SettingsDiff.Fields(before, settings));
        if (!await settingsStore.SaveAsync(courseId, settings, cancellationToken, change))
        {
            return Problems.Field(413, "body", $"These settings are too large to store (at most {LongText.MaxChars} characters once saved as JSON): shorten the templates.");
        }
        settingsProvider.Forget(courseId);
        logger.LogInformation("Settings of course {CourseId} replaced", courseId);
        return Results.Ok(new { courseId, settings, effective = Effective(settingsProvider.Platform.For(settings)) });
    }

    /// <summary>
    /// Everything wrong with a course's settings, each naming its field. <paramref name="questionnaireExists"/>
    /// says whether a campaign's questionnaire is known; day counts and texts are judged in <paramref name="words"/>
    /// (the editor's language; English when not given), the rest in English.
    /// </summary>
    internal static IEnumerable<(string Field, string Message)> ProblemsOf(CourseSettings settings, Func<string, bool> questionnaireExists, ProblemWords? words = null)
    {
        foreach (var signal in settings.Signals?.Keys ?? [])
        {
            if (SignalKeys.IndexOf(signal) < 0)
            {
                yield return ($"signals.{signal}", $"'{signal}' is not a signal that can be switched here ({string.Join(", ", SignalKeys.All)}; a campaign has its own switch).");
            }
        }
        foreach (var problem in settings.Digest?.Problems() ?? [])
        {
            yield return problem;
        }
        var campaigns = settings.Campaigns ?? [];
        var campaignIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < campaigns.Count; i++)
        {
            var field = $"campaigns[{i}]";
            if (campaigns[i] is not { } campaign)
            {
                yield return (field, "a campaign is an object.");
                continue;
            }
            foreach (var problem in campaign.Problems(field, questionnaireExists))
            {
                yield return problem;
            }
            if (campaign.Id is { } id && !campaignIds.Add(id))
            {
                yield return ($"{field}.id", $"'{id}' is used by another campaign.");
            }
        }
        var campaignSignals = campaigns.Where(c => c?.ReminderDays is not null).SelectMany(c => c.Signals).ToHashSet(StringComparer.Ordinal);
        foreach (var signal in settings.Templates?.Keys ?? [])
        {
            if (SignalKeys.IndexOf(signal) < 0 && !campaignSignals.Contains(signal))
            {
                yield return ($"templates.{signal}", $"'{signal}' is not a signal of this course ({string.Join(", ", SignalKeys.All.Concat(campaignSignals))}).");
            }
        }
        var platform = new SignalSettings { SiteZone = TimeZoneInfo.Utc, LearnerRoles = new HashSet<string>() };
        var effective = platform.For(settings);
        foreach (var (setting, message) in SignalRules.Problems(effective.FirstCallDays, effective.SecondCallDays, effective.InactivityDays, effective.InactivityRepeatDays, effective.InactivityMaxRepeats, words))
        {
            yield return (CourseFieldOf[setting], message);
        }
        foreach (var (signal, languages) in settings.Templates ?? new Dictionary<string, IReadOnlyDictionary<string, TemplateText>>())
        {
            foreach (var (lang, text) in languages)
            {
                if (!Languages.Supported.Contains(lang))
                {
                    yield return ($"templates.{signal}.{lang}", $"'{lang}' is not a language the service writes in ({string.Join(", ", Languages.Supported)}).");
                    continue;
                }
                foreach (var problem in MailRenderer.Problems(signal, lang, text, words))
                {
                    yield return ($"templates.{signal}.{lang}", problem);
                }
            }
        }
    }

    private static object Effective(SignalSettings s) => new
    {
        enabled = s.CourseEnabled,
        s.CourseEndClosesAccess,
        s.WelcomeEvenIfAccessed,
        s.FirstCallDays,
        s.SecondCallDays,
        s.InactivityDays,
        s.InactivityRepeatDays,
        s.InactivityMaxRepeats,
        signals = SignalKeys.All.ToDictionary(k => k, s.IsEnabled),
        campaignSignals = s.Campaigns.Where(c => c.Enabled).SelectMany(c => c.Signals),
        campaigns = s.Campaigns.Select(c => new { c.Id, c.Questionnaire, c.Trigger, c.ActivityId, activity = c.ActivityLabel, c.Enabled }),
        digest = new { s.Digest.Enabled, roles = s.Digest.Roles.Order(StringComparer.Ordinal), day = s.Digest.Day.ToString(), s.Digest.Hour, s.Digest.SendWhenEmpty },
    };

    /// <summary>GET /api/learners/{id}/export: everything stored about a person.</summary>
    public async Task<IResult> ExportLearnerAsync(long learnerId, CancellationToken cancellationToken)
    {
        var learner = await learners.GetAsync(learnerId, cancellationToken);
        var courses = await snapshots.CoursesOfLearnerAsync(learnerId, cancellationToken);
        if (learner is null && courses.Count == 0)
        {
            return Problems.Field(404, "id", $"Nothing is stored about learner {learnerId}.");
        }
        var enrolments = new JsonArray();
        foreach (var courseId in courses)
        {
            var snapshot = await snapshots.GetAsync(courseId, learnerId, cancellationToken);
            var sends = await ledger.ReadLearnerAsync(courseId, learnerId, cancellationToken);
            enrolments.Add(new JsonObject
            {
                ["courseId"] = courseId,
                ["snapshot"] = JsonSerializer.SerializeToNode(snapshot, Json),
                ["sends"] = JsonSerializer.SerializeToNode(sends.Select(r => new { r.Key.Signal, anchor = r.Key.Anchor, r.Key.Repeat, state = r.State.ToString(), r.At, r.Reason }), Json),
                ["namedAnswers"] = JsonSerializer.SerializeToNode((await answers.OfLearnerAsync(courseId, learnerId, cancellationToken)).Select(a => new { a.Campaign, a.Questionnaire, a.SubmittedOn, a.Values }), Json),
            });
        }
        logger.LogInformation("Exported the data of learner {LearnerId}", learnerId);
        return Results.Ok(new JsonObject
        {
            ["learnerId"] = learnerId,
            ["learner"] = JsonSerializer.SerializeToNode(learner, Json),
            ["courses"] = enrolments,
        });
    }

    /// <summary>DELETE /api/learners/{id}: erases the person as Moodle's user_deleted does.</summary>
    public async Task<IResult> EraseLearnerAsync(long learnerId, CancellationToken cancellationToken)
    {
        await erasure.EraseAsync(learnerId, cancellationToken);
        return Results.NoContent();
    }
}
