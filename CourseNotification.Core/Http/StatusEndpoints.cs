using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using CourseNotification.Scanning;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;
using Microsoft.AspNetCore.Http;

namespace CourseNotification.Http;

/// <summary>One learner's row of the status grid.</summary>
public sealed record StatusRow(long LearnerId, string Name, IReadOnlyDictionary<string, Decision> Cells)
{
    /// <summary>Who asked for a cell's send to go out again (signal -> name), for the cells that are such sends.</summary>
    public IReadOnlyDictionary<string, string>? AskedBy { get; init; }
}

/// <summary>The status of a course: the old block's grid, with every decision's state, date and reason.</summary>
public sealed record CourseStatus(
    long CourseId, string CourseName, DateTimeOffset At, IReadOnlyList<string> Signals,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Totals, int Learners, int Page, int PageSize, IReadOnlyList<StatusRow> Rows);

/// <summary>
/// <c>GET /api/courses/{id}/status</c> (JSON) and <c>GET /courses/{id}/status</c> (HTML): one row per
/// learner, one column per enabled signal, filters by state, by initial of the last name, to learners still
/// active (<c>active=1</c>) and to signals with something to show (<c>hideEmpty=1</c>: not only
/// not_applicable), totals per signal over the whole course, paged; on the page, each sent mail can be
/// sent again (<see cref="ResendEndpoints"/>).
/// </summary>
public sealed class StatusEndpoints(CourseStore courses, CourseDecisions decisions, LearnerStore learners, SignalSettingsProvider settings, LedgerStore ledger, TimeProvider clock)
{
    public const int DefaultPageSize = 100;

    public async Task<IResult> GetJsonAsync(long courseId, HttpRequest request, CancellationToken cancellationToken) =>
        await BuildAsync(courseId, request, cancellationToken) switch
        {
            (null, var problem) => problem!,
            (var status, _) => Results.Ok(status),
        };

    public async Task<IResult> GetHtmlAsync(long courseId, HttpRequest request, CancellationToken cancellationToken) =>
        await BuildAsync(courseId, request, cancellationToken) switch
        {
            (null, var problem) => problem!,
            (var status, _) => Results.Content(Html(status!, request), "text/html; charset=utf-8"),
        };

    private async Task<(CourseStatus? Status, IResult? Problem)> BuildAsync(long courseId, HttpRequest request, CancellationToken cancellationToken)
    {
        var query = request.Query;
        if (!QueryInstant.TryRead(request, clock, out var at, out var problem))
        {
            return (null, problem);
        }
        DecisionState? state = null;
        if (query["state"] is { Count: > 0 } s && s[0] is { Length: > 0 } stateText)
        {
            if (!Enum.GetValues<DecisionState>().Any(v => DecisionStates.Name(v) == stateText))
            {
                return (null, Problems.Field(400, "state", $"'{stateText}' is not a state ({string.Join(", ", Enum.GetValues<DecisionState>().Select(DecisionStates.Name))})."));
            }
            state = Enum.GetValues<DecisionState>().First(v => DecisionStates.Name(v) == stateText);
        }
        var initial = query["initial"] is { Count: > 0 } i && i[0] is { Length: 1 } letter ? char.ToUpperInvariant(letter[0]) : (char?)null;
        var activeOnly = query["active"] is { Count: > 0 } a && a[0] is "1" or "true" or "on";
        var hideEmpty = query["hideEmpty"] is { Count: > 0 } h && h[0] is "1" or "true" or "on";
        var page = int.TryParse(query["page"], out var p) && p > 0 ? p : 1;
        var pageSize = int.TryParse(query["pageSize"], out var size) && size is > 0 and <= 1000 ? size : DefaultPageSize;
        if (await courses.GetAsync(courseId, cancellationToken) is not { } course)
        {
            return (null, Problems.Field(404, "id", $"Course {courseId} is not known here."));
        }

        var effective = await settings.ForAsync(course, cancellationToken);
        var shown = effective.EnabledSignals.ToList();
        var totals = shown.ToDictionary(k => k, _ => new Dictionary<string, int>());
        var matching = new List<LearnerDecisions>();
        await foreach (var learner in decisions.EvaluateAsync(course, at, cancellationToken))
        {
            foreach (var decision in learner.Decisions.Where(d => totals.ContainsKey(d.Signal)))
            {
                var counts = totals[decision.Signal];
                counts[DecisionStates.Name(decision.State)] = counts.GetValueOrDefault(DecisionStates.Name(decision.State)) + 1;
            }
            // Active: a learner the engine still writes to (enrolled, not suspended, access not ended).
            if (activeOnly && new LearnerFacts(course, learner.Snapshot, effective, at) is var facts && (facts.Ineligibility() is not null || facts.AccessEnded))
            {
                continue;
            }
            if (state is null || learner.Decisions.Any(d => d.State == state && totals.ContainsKey(d.Signal)))
            {
                matching.Add(learner);
            }
        }

        if (hideEmpty)
        {
            // Nothing to show: no learner of the course has anything but not_applicable or disabled for it.
            shown.RemoveAll(signal => totals[signal].Keys.All(k => k is "not_applicable" or "disabled"));
            foreach (var signal in totals.Keys.Except(shown).ToList())
            {
                totals.Remove(signal);
            }
        }

        // Names come with the snapshots; only a snapshot older than that copy costs a read of the learner.
        // Rows go by last name, then first name (learners without a name last), as a class list does.
        var named = await NamedAsync(matching, cancellationToken);
        var selected = named
            .Where(n => initial is null || (n.Last is { Length: > 0 } last && char.ToUpperInvariant(last[0]) == initial))
            .OrderBy(n => n.First.Length + n.Last.Length == 0)
            .ThenBy(n => n.Last, NameOrder)
            .ThenBy(n => n.First, NameOrder)
            .ThenBy(n => n.Learner.Snapshot.LearnerId)
            .ToList();
        var rows = new List<StatusRow>();
        foreach (var (learner, first, last) in selected.Skip((page - 1) * pageSize).Take(pageSize))
        {
            var name = first.Length + last.Length == 0 ? $"#{learner.Snapshot.LearnerId}" : $"{last} {first}".Trim();
            var cells = learner.Decisions.Where(d => totals.ContainsKey(d.Signal)).ToDictionary(d => d.Signal);
            Dictionary<string, string>? askedBy = null;
            if (cells.Values.Any(d => d.Key is { } k && Resends.IsResend(k)))
            {
                // A send asked again says who asked: the learner's ledger rows (only for such rows).
                var history = await ledger.ReadLearnerAsync(course.Id, learner.Snapshot.LearnerId, cancellationToken);
                askedBy = cells.Values.Select(d => (d.Signal, By: history.FirstOrDefault(r => r.Key == d.Key)?.RearmedBy)).Where(c => c.By is not null).ToDictionary(c => c.Signal, c => c.By!);
            }
            rows.Add(new StatusRow(learner.Snapshot.LearnerId, name, cells) { AskedBy = askedBy });
        }
        return (new CourseStatus(course.Id, course.FullName, at, shown,
            totals.ToDictionary(t => t.Key, t => (IReadOnlyDictionary<string, int>)t.Value), selected.Count, page, pageSize, rows), null);
    }

    /// <summary>Names in alphabetical order whatever their case and accents ("Émile" with the E).</summary>
    private static readonly StringComparer NameOrder = StringComparer.Create(CultureInfo.InvariantCulture, CompareOptions.IgnoreCase | CompareOptions.IgnoreNonSpace);

    private async Task<List<(LearnerDecisions Learner, string First, string Last)>> NamedAsync(IEnumerable<LearnerDecisions> rows, CancellationToken cancellationToken)
    {
        var named = new List<(LearnerDecisions, string, string)>();
        foreach (var row in rows)
        {
            if (row.Snapshot.Profile is { } profile && profile.FirstName.Length + profile.LastName.Length > 0)
            {
                named.Add((row, profile.FirstName, profile.LastName));
            }
            else
            {
                var person = await learners.GetAsync(row.Snapshot.LearnerId, cancellationToken);
                named.Add((row, person?.FirstName ?? "", person?.LastName ?? ""));
            }
        }
        return named;
    }

    /// <summary>Hidden inputs that carry the given query parameters through the filter form (the instant, the page size, the function key).</summary>
    private static string Kept(HttpRequest request, HtmlEncoder e, params string[] names) => string.Concat(names
        .Where(name => request.Query[name].ToString().Length > 0)
        .Select(name => $"<input type=\"hidden\" name=\"{name}\" value=\"{e.Encode(request.Query[name].ToString())}\">"));

    private static string Html(CourseStatus status, HttpRequest request)
    {
        var e = LearnerPage.Encoder;
        // In Azure the page is opened with its function key (?code=): the links it makes carry it on.
        var code = request.Query["code"].ToString();
        var key = code.Length > 0 ? "&code=" + Uri.EscapeDataString(code) : "";
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{e.Encode(status.CourseName)} – status</title>
            <style>
            body{"{"}font-family:Arial,Helvetica,sans-serif;margin:16px;color:#1f2937{"}"} table{"{"}border-collapse:collapse;font-size:14px{"}"}
            th,td{"{"}border:1px solid #e5e7eb;padding:4px 6px;text-align:left;white-space:nowrap{"}"} thead th,thead td{"{"}background:#f3f4f6;position:sticky;top:0;z-index:1{"}"}
            thead tr+tr th,thead tr+tr td{"{"}top:29px{"}"} tbody th{"{"}position:sticky;left:0;background:#fff;z-index:1{"}"} thead th:first-child{"{"}left:0;z-index:2{"}"}
            .grid{"{"}overflow:auto;max-height:75vh;max-width:100%{"}"} .again{"{"}display:block;font-size:12px;color:#1d4ed8{"}"} .filters label{"{"}margin-right:12px{"}"}
            .sent{"{"}background:#dcfce7{"}"} .due{"{"}background:#fef9c3{"}"} .scheduled{"{"}background:#e0f2fe{"}"} .failed{"{"}background:#fee2e2{"}"}
            .missed,.superseded{"{"}background:#f3f4f6;color:#6b7280{"}"} .disabled,.not_applicable{"{"}color:#9ca3af{"}"}
            td a{"{"}color:inherit;text-decoration:none{"}"} td a:hover,td a:focus{"{"}text-decoration:underline;outline:2px solid #1d4ed8{"}"} form{"{"}margin:12px 0{"}"}
            </style></head><body>
            <h1>{e.Encode(status.CourseName)}</h1>
            <p>Course {status.CourseId}, as of {status.At.UtcDateTime:yyyy-MM-dd HH:mm} UTC: {status.Learners} learner(s) match. Hover or focus a cell for its reason; follow it to preview the mail (and send it as a test).</p>
            <p><a href="/courses/{status.CourseId}/settings{(code.Length > 0 ? "?code=" + e.Encode(Uri.EscapeDataString(code)) : "")}">Settings and texts of this course</a></p>
            <form method="get" class="filters"><label>State <select name="state"><option value="">any</option>
            """);
        foreach (var state in Enum.GetValues<DecisionState>().Select(DecisionStates.Name))
        {
            html.Append(CultureInfo.InvariantCulture, $"<option{(request.Query["state"] == state ? " selected" : "")}>{state}</option>");
        }
        html.Append(CultureInfo.InvariantCulture, $"""</select></label> <label>Last name initial <input name="initial" size="1" maxlength="1" value="{e.Encode(request.Query["initial"].ToString())}"></label> {Kept(request, e, "at", "pageSize", "code")}<label><input type="checkbox" name="active" value="1"{(request.Query["active"] == "1" ? " checked" : "")}> Active only</label> <label><input type="checkbox" name="hideEmpty" value="1"{(request.Query["hideEmpty"] == "1" ? " checked" : "")}> Hide signals with nothing to show</label> <button type="submit">Filter</button></form>""");
        html.Append("<div class=\"grid\" role=\"region\" aria-label=\"Learners and signals\"><table><thead><tr><th scope=\"col\">Learner</th>");
        foreach (var signal in status.Signals)
        {
            html.Append(CultureInfo.InvariantCulture, $"<th scope=\"col\">{signal}</th>");
        }
        html.Append("</tr><tr><th scope=\"row\">Totals</th>");
        foreach (var signal in status.Signals)
        {
            html.Append(CultureInfo.InvariantCulture, $"<td>{e.Encode(string.Join(", ", status.Totals[signal].OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key} {t.Value}")))}</td>");
        }
        html.Append("</tr></thead><tbody>");
        foreach (var row in status.Rows)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><th scope=\"row\">{e.Encode(row.Name)}</th>");
            foreach (var signal in status.Signals)
            {
                var d = row.Cells[signal];
                var state = DecisionStates.Name(d.State);
                var when = d.At is { } at ? at.UtcDateTime.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture) : "";
                var asked = row.AskedBy?.GetValueOrDefault(signal) is { } by ? $", asked by {by}" : "";
                var reason = $"{state}{(d.Anchor is { } anchor ? $" (anchor {anchor:yyyy-MM-dd})" : "")}: {d.Reason}{asked}";
                // A mail that went out (or failed) is previewed as of the instant it was sent: its days and dates as the learner read them.
                var previewAt = d.State is DecisionState.Sent or DecisionState.Failed && d.At is { } sentAt ? sentAt : status.At;
                var preview = $"/courses/{status.CourseId}/learners/{row.LearnerId}/mails/{Uri.EscapeDataString(signal)}?at={Uri.EscapeDataString(previewAt.ToString("O"))}{key}";
                html.Append(CultureInfo.InvariantCulture,
                    $"<td class=\"{state}\"><a href=\"{e.Encode(preview)}\" title=\"{e.Encode(reason)}\" aria-label=\"{e.Encode($"{signal}: {reason}. Preview the mail")}\">{state} {when}</a>");
                if (d.State == DecisionState.Sent && SignalKeys.IndexOf(signal) >= 0 && d.Anchor is { } sentAnchor)
                {
                    var again = $"/courses/{status.CourseId}/learners/{row.LearnerId}/mails/{Uri.EscapeDataString(signal)}/resend?anchor={sentAnchor:yyyy-MM-dd}&repeat={d.Repeat}{key}";
                    html.Append(CultureInfo.InvariantCulture, $"<a class=\"again\" href=\"{e.Encode(again)}\" aria-label=\"{e.Encode($"Send the {signal} mail to {row.Name} again")}\">send again</a>");
                }
                html.Append("</td>");
            }
            html.Append("</tr>");
        }
        html.Append("</tbody></table></div>");
        var pages = Math.Max(1, (status.Learners + status.PageSize - 1) / status.PageSize);
        html.Append(CultureInfo.InvariantCulture, $"<nav aria-label=\"Pages\"><p>Page {status.Page} of {pages}. ");
        foreach (var (label, target) in new[] { ("Previous page", status.Page - 1), ("Next page", status.Page + 1) })
        {
            if (target >= 1 && target <= pages)
            {
                var query = request.Query.Where(q => q.Key != "page").Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}").Append($"page={target}");
                html.Append(CultureInfo.InvariantCulture, $"<a href=\"?{e.Encode(string.Join('&', query))}\">{label}</a> ");
            }
        }
        html.Append("</p></nav></body></html>");
        return html.ToString();
    }
}
