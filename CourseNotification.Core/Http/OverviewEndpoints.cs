using System.Globalization;
using System.Text;
using CourseNotification.Scanning;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace CourseNotification.Http;

public sealed record CourseOverview(long CourseId, string Name, int Sent, int Failed, int Due, int Poisoned);

/// <summary>The site at a glance: per course what went out and failed in a period, what is due now, what is poisoned; and the intake's health.</summary>
public sealed record SiteOverview(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<CourseOverview> Courses, int PoisonedTotal, IntakeHealth Intake);

/// <summary><c>GET /api/overview?from=&amp;to=</c> (JSON) and <c>GET /overview</c> (HTML, in French or English as the course pages); the period defaults to the last 7 days.</summary>
public sealed class OverviewEndpoints(
    CourseStore courses, CourseDecisions decisions, LedgerStore ledger, HealthStore health, StorageAccount storage, IOptions<PlatformOptions> platform, TimeProvider clock)
{
    public async Task<IResult> GetJsonAsync(HttpRequest request, CancellationToken cancellationToken) =>
        await BuildAsync(request, cancellationToken) switch
        {
            (null, var problem) => problem!,
            (var overview, _) => Results.Ok(overview),
        };

    public async Task<IResult> GetHtmlAsync(HttpRequest request, CancellationToken cancellationToken) =>
        await BuildAsync(request, cancellationToken) switch
        {
            (null, var problem) => problem!,
            (var overview, _) => Results.Content(Html(overview!, request, CoursePageTexts.Of(request, platform.Value.DefaultLanguage)), "text/html; charset=utf-8"),
        };

    private async Task<(SiteOverview? Overview, IResult? Problem)> BuildAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (!TryInstant(request, "to", now, out var to, out var problem) || !TryInstant(request, "from", to.AddDays(-7), out var from, out problem))
        {
            return (null, problem);
        }
        if (from >= to)
        {
            return (null, Problems.Field(400, "from", "from must come before to."));
        }

        // Poisoned sends per course, among the messages a peek can see (32); the total is the queue's count.
        var poison = storage.Queue(StorageNames.PoisonQueueOf(StorageNames.NotificationsQueue));
        var peeked = (await poison.PeekMessagesAsync(32, cancellationToken)).Value
            .Select(m => QueueWriter.Read<NotificationMessage>(m.Body.ToString()).CourseId)
            .GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
        var poisonedTotal = (await poison.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;

        var rows = new List<CourseOverview>();
        await foreach (var page in courses.ListIdPagesAsync(500, cancellationToken))
        {
            foreach (var id in page)
            {
                if (await courses.GetAsync(id, cancellationToken) is not { } course)
                {
                    continue;
                }
                var counts = await ledger.CountAsync(id, from, to, cancellationToken);
                var due = 0;
                await foreach (var learner in decisions.EvaluateAsync(course, now, cancellationToken))
                {
                    due += learner.Decisions.Count(d => d.State == DecisionState.Due);
                }
                rows.Add(new CourseOverview(id, course.FullName, counts.GetValueOrDefault(SendState.Sent), counts.GetValueOrDefault(SendState.Failed), due, peeked.GetValueOrDefault(id)));
            }
        }
        return (new SiteOverview(from, to, rows, poisonedTotal, await health.ReadAsync(cancellationToken)), null);
    }

    private static bool TryInstant(HttpRequest request, string name, DateTimeOffset fallback, out DateTimeOffset value, out IResult? problem)
    {
        value = fallback;
        problem = null;
        if (request.Query[name] is { Count: > 0 } given && !DateTimeOffset.TryParse(given[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value))
        {
            problem = Problems.Field(400, name, $"'{given[0]}' is not an ISO 8601 instant.");
            return false;
        }
        return true;
    }

    private static string Html(SiteOverview overview, HttpRequest request, CoursePageTexts t)
    {
        var e = LearnerPage.Encoder;
        string When(DateTimeOffset? at) => at is { } instant ? $"{CoursePages.Minute(instant)} UTC" : t.Never;
        // The courses' links carry the key and the language on, as the course pages' own links do.
        var carried = e.Encode(CoursePages.Carried(request));
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <!doctype html><html lang="{t.Lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{e.Encode(t.OverviewTitle)}</title>
            <style>body{"{"}font-family:Arial,Helvetica,sans-serif;margin:16px;color:#1f2937{"}"} table{"{"}border-collapse:collapse{"}"} th,td{"{"}border:1px solid #e5e7eb;padding:4px 8px;text-align:left{"}"} .bad{"{"}color:#b91c1c;font-weight:bold{"}"}</style>
            </head><body><h1>{e.Encode(t.OverviewTitle)}</h1>
            <p>{e.Encode(string.Format(CultureInfo.InvariantCulture, t.OverviewPeriod, CoursePages.Minute(overview.From), CoursePages.Minute(overview.To)))}</p>
            <h2>{e.Encode(t.Intake)}</h2><ul>
            <li>{e.Encode(t.LastEvent)}{t.Colon}{When(overview.Intake.LastEventAt)}</li>
            <li>{e.Encode(t.LastSync)}{t.Colon}{When(overview.Intake.LastSyncAt)}{(overview.Intake.LastSyncSummary is { } summary ? $"{t.Colon}{e.Encode(summary)}" : "")}{(overview.Intake.LastSyncError is { } error ? $" <span class=\"bad\">{e.Encode(error)}</span>" : "")}</li>
            <li>{e.Encode(t.PoisonedSends)}{t.Colon}<span{(overview.PoisonedTotal > 0 ? " class=\"bad\"" : "")}>{overview.PoisonedTotal}</span></li>
            </ul><h2>{e.Encode(t.Courses)}</h2>
            <table><thead><tr><th scope="col">{e.Encode(t.CourseColumn)}</th><th scope="col">{e.Encode(t.SentColumn)}</th><th scope="col">{e.Encode(t.FailedColumn)}</th><th scope="col">{e.Encode(t.DueColumn)}</th><th scope="col">{e.Encode(t.PoisonedColumn)}</th><th scope="col"></th></tr></thead><tbody>
            """);
        foreach (var course in overview.Courses)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><th scope=\"row\">{e.Encode(course.Name)} ({course.CourseId})</th><td>{course.Sent}</td><td{(course.Failed > 0 ? " class=\"bad\"" : "")}>{course.Failed}</td><td>{course.Due}</td><td>{course.Poisoned}</td><td><a href=\"/courses/{course.CourseId}/status{carried}\">{e.Encode(t.StatusLink)}</a></td></tr>");
        }
        html.Append("</tbody></table></body></html>");
        return html.ToString();
    }
}
