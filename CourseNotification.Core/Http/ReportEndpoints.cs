using System.Globalization;
using CourseNotification.Questionnaires;
using CourseNotification.Reports;
using CourseNotification.Settings;
using CourseNotification.Storage;
using CourseNotification.Templates;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CourseNotification.Http;

/// <summary>
/// <c>GET /api/reports/qualiopi?courses=&amp;from=&amp;to=&amp;campaign=&amp;questionnaire=&amp;lang=&amp;format=pdf|json|csv</c>:
/// the Qualiopi report of a scope and period, as a PDF (default), or its figures as JSON or CSV. Every
/// parameter is checked first; a wrong one gets a problem naming it.
/// </summary>
public sealed class ReportEndpoints(
    QualiopiAggregator aggregator,
    CourseStore courses,
    QuestionnaireCatalog catalog,
    SignalSettingsProvider settings,
    IOptions<PlatformOptions> platform,
    TimeProvider clock,
    ILogger<ReportEndpoints> logger)
{
    /// <summary>The longest period a report may cover (and its previous period as much again).</summary>
    public const int MaxDays = 3 * 366;

    public async Task<IResult> GetQualiopiAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (scope, format, problem) = await ParseAsync(request.Query, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        var report = await aggregator.BuildAsync(scope!, null, cancellationToken);
        logger.LogInformation(
            "Qualiopi report of {CourseCount} courses from {From} to {To} built as {Format}: {Answers} answers", report.Courses.Count, scope!.From, scope.To, format, report.Participation.Answered);
        var file = new MemoryStream();
        await ReportFormats.WriteAsync(report, format, file, cancellationToken);
        // The PDF and the CSV come as files to save; the JSON as an API answer.
        var name = format == "json" ? null : $"qualiopi-{scope.From:yyyy-MM-dd}-{scope.To:yyyy-MM-dd}.{format}";
        return Results.File(file.ToArray(), ReportFormats.ContentType(format), name);
    }

    /// <summary>
    /// What can be said wrong of a query without reading anything (format, language, dates, the shape of
    /// the course ids): a tool checks this before it starts storage.
    /// </summary>
    public static IResult? CheckShape(IQueryCollection query)
    {
        if (query["format"].ToString() is { Length: > 0 } format && !ReportFormats.All.Contains(format))
        {
            return Problems.Field(400, "format", $"'{format}' is not a format: pdf, json or csv.");
        }
        if (query["lang"].ToString() is { Length: > 0 } lang && !Languages.Supported.Contains(lang))
        {
            return Problems.Field(400, "lang", $"'{lang}' is not a language of reports ({string.Join(", ", Languages.Supported)}).");
        }
        if (!TryDate(query["to"], DateOnly.MaxValue, out var to))
        {
            return Problems.Field(400, "to", "to is a date: yyyy-MM-dd.");
        }
        if (!TryDate(query["from"], DateOnly.MinValue, out var from))
        {
            return Problems.Field(400, "from", "from is a date: yyyy-MM-dd.");
        }
        if (from != DateOnly.MinValue && to != DateOnly.MaxValue && (from > to || to.DayNumber - from.DayNumber >= MaxDays))
        {
            return Problems.Field(400, "from", $"from is on or before to, at most {MaxDays} days before.");
        }
        foreach (var part in query["courses"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
            {
                return Problems.Field(400, "courses", $"'{part}' is not a course id (courses is a comma-separated list of ids; none: every course).");
            }
        }
        return null;
    }

    /// <summary>The scope and format a query asks for, or the problem with it.</summary>
    public async Task<(ReportScope? Scope, string Format, IResult? Problem)> ParseAsync(IQueryCollection query, CancellationToken cancellationToken)
    {
        var format = query["format"].ToString() is { Length: > 0 } f ? f : "pdf";
        if (!ReportFormats.All.Contains(format))
        {
            return (null, format, Problems.Field(400, "format", $"'{format}' is not a format: pdf, json or csv."));
        }
        var lang = query["lang"].ToString() is { Length: > 0 } l ? l : platform.Value.DefaultLanguage;
        if (!Languages.Supported.Contains(lang))
        {
            return (null, format, Problems.Field(400, "lang", $"'{lang}' is not a language of reports ({string.Join(", ", Languages.Supported)})."));
        }
        var today = Signals.Zones.DayOf(clock.GetUtcNow(), settings.Platform.SiteZone);
        if (!TryDate(query["to"], today, out var to))
        {
            return (null, format, Problems.Field(400, "to", "to is a date: yyyy-MM-dd."));
        }
        if (!TryDate(query["from"], to.AddDays(-89), out var from))
        {
            return (null, format, Problems.Field(400, "from", "from is a date: yyyy-MM-dd."));
        }
        if (from > to || to.DayNumber - from.DayNumber >= MaxDays)
        {
            return (null, format, Problems.Field(400, "from", $"from is on or before to, at most {MaxDays} days before."));
        }
        var ids = new List<long>();
        foreach (var part in query["courses"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
            {
                return (null, format, Problems.Field(400, "courses", $"'{part}' is not a course id (courses is a comma-separated list of ids; none: every course)."));
            }
            if (await courses.GetAsync(id, cancellationToken) is null)
            {
                return (null, format, Problems.Field(404, "courses", $"Course {id} is not known here."));
            }
            ids.Add(id);
        }
        var campaign = query["campaign"].ToString() is { Length: > 0 } c ? c : null;
        var questionnaire = query["questionnaire"].ToString() is { Length: > 0 } q ? q : campaign is null ? QuestionnaireCatalog.Hot : await QuestionnaireOfAsync(campaign, ids, cancellationToken);
        if (questionnaire is null)
        {
            return (null, format, Problems.Field(404, "campaign",
                $"No course{(ids.Count > 0 ? " of courses" : "")} has a campaign '{campaign}' (for answers to a campaign since removed, name the questionnaire with questionnaire=)."));
        }
        if (await catalog.GetAsync(questionnaire, cancellationToken) is null)
        {
            return (null, format, Problems.Field(404, "questionnaire", $"No questionnaire '{questionnaire}'."));
        }
        return (new ReportScope(ids.Distinct().ToList(), from, to, questionnaire, campaign, lang), format, null);
    }

    /// <summary>The questionnaire a campaign asks in the first course of the scope (every course when none is named) that has it; null when none has it.</summary>
    private async Task<string?> QuestionnaireOfAsync(string campaign, List<long> ids, CancellationToken cancellationToken)
    {
        async Task<string?> AskedBy(long id) =>
            await courses.GetAsync(id, cancellationToken) is { } course
            && (await settings.ForAsync(course, cancellationToken)).Campaigns.FirstOrDefault(c => c.Id == campaign) is { } found
                ? found.Questionnaire
                : null;

        if (ids.Count > 0)
        {
            foreach (var id in ids)
            {
                if (await AskedBy(id) is { } questionnaire)
                {
                    return questionnaire;
                }
            }
            return null;
        }
        await foreach (var page in courses.ListIdPagesAsync(500, cancellationToken))
        {
            foreach (var id in page)
            {
                if (await AskedBy(id) is { } questionnaire)
                {
                    return questionnaire;
                }
            }
        }
        return null;
    }

    private static bool TryDate(Microsoft.Extensions.Primitives.StringValues value, DateOnly fallback, out DateOnly day)
    {
        if (value.Count == 0 || string.IsNullOrEmpty(value[0]))
        {
            day = fallback;
            return true;
        }
        return DateOnly.TryParseExact(value[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
    }
}
