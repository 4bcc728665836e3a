using System.Globalization;
using System.Text;
using CourseNotification.Scanning;
using CourseNotification.Signals;
using CourseNotification.Storage;
using Microsoft.AspNetCore.Http;

namespace CourseNotification.Http;

public sealed record CourseOverview(long CourseId, string Name, int Sent, int Failed, int Due, int Poisoned);

/// <summary>The site at a glance: per course what went out and failed in a period, what is due now, what is poisoned; and the intake's health.</summary>
public sealed record SiteOverview(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<CourseOverview> Courses, int PoisonedTotal, IntakeHealth Intake);

/// <summary><c>GET /api/overview?from=&amp;to=</c> (JSON) and <c>GET /overview</c> (HTML); the period defaults to the last 7 days.</summary>
public sealed class OverviewEndpoints(CourseStore courses, CourseDecisions decisions, LedgerStore ledger, HealthStore health, StorageAccount storage, TimeProvider clock)
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
            (var overview, _) => Results.Content(Html(overview!), "text/html; charset=utf-8"),
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

    private static string Html(SiteOverview overview)
    {
        var e = LearnerPage.Encoder;
        string When(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "never";
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Site overview</title>
            <style>body{"{"}font-family:Arial,Helvetica,sans-serif;margin:16px;color:#1f2937{"}"} table{"{"}border-collapse:collapse{"}"} th,td{"{"}border:1px solid #e5e7eb;padding:4px 8px;text-align:left{"}"} .bad{"{"}color:#b91c1c;font-weight:bold{"}"}</style>
            </head><body><h1>Site overview</h1>
            <p>From {overview.From.UtcDateTime:yyyy-MM-dd HH:mm} to {overview.To.UtcDateTime:yyyy-MM-dd HH:mm} UTC.</p>
            <h2>Intake</h2><ul>
            <li>Last Moodle event: {When(overview.Intake.LastEventAt)}</li>
            <li>Last pull sync: {When(overview.Intake.LastSyncAt)}{(overview.Intake.LastSyncSummary is { } summary ? $": {e.Encode(summary)}" : "")}{(overview.Intake.LastSyncError is { } error ? $" <span class=\"bad\">{e.Encode(error)}</span>" : "")}</li>
            <li>Poisoned sends: <span{(overview.PoisonedTotal > 0 ? " class=\"bad\"" : "")}>{overview.PoisonedTotal}</span></li>
            </ul><h2>Courses</h2>
            <table><thead><tr><th scope="col">Course</th><th scope="col">Sent</th><th scope="col">Failed</th><th scope="col">Due now</th><th scope="col">Poisoned</th><th scope="col"></th></tr></thead><tbody>
            """);
        foreach (var course in overview.Courses)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><th scope=\"row\">{e.Encode(course.Name)} ({course.CourseId})</th><td>{course.Sent}</td><td{(course.Failed > 0 ? " class=\"bad\"" : "")}>{course.Failed}</td><td>{course.Due}</td><td>{course.Poisoned}</td><td><a href=\"/courses/{course.CourseId}/status\">status</a></td></tr>");
        }
        html.Append("</tbody></table></body></html>");
        return html.ToString();
    }
}
