using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using CourseNotification.Scanning;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

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
public sealed class StatusEndpoints(
    CourseStore courses, CourseDecisions decisions, LearnerStore learners, SignalSettingsProvider settings, LedgerStore ledger, IOptions<PlatformOptions> platform, TimeProvider clock)
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
            (var status, _) => Results.Content(Html(status!, request, CoursePageTexts.Of(request, platform.Value.DefaultLanguage)), "text/html; charset=utf-8"),
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
            state = DecisionStates.Parse(stateText);
            if (state is null)
            {
                return (null, Problems.Field(400, "state", $"'{stateText}' is not a state ({string.Join(", ", Enum.GetValues<DecisionState>().Select(DecisionStates.Name))})."));
            }
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

    /// <summary>Hidden inputs that carry the given query parameters through the filter form (the instant, the page size, the function key, the language).</summary>
    private static string Kept(HttpRequest request, HtmlEncoder e, params string[] names) => string.Concat(names
        .Where(name => request.Query[name].ToString().Length > 0)
        .Select(name => $"<input type=\"hidden\" name=\"{name}\" value=\"{e.Encode(request.Query[name].ToString())}\">"));

    private static string Html(CourseStatus status, HttpRequest request, CoursePageTexts t)
    {
        var e = LearnerPage.Encoder;
        // The links the page makes carry on the function key (in Azure, ?code=) and the language.
        var carried = CoursePages.Carried(request);
        var key = carried.Length > 0 ? "&" + carried[1..] : "";
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <!doctype html><html lang="{t.Lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{e.Encode(status.CourseName)} – {e.Encode(t.StatusTitle)}</title>
            <style>
            body{"{"}font-family:Arial,Helvetica,sans-serif;margin:16px;color:#1f2937{"}"} table{"{"}border-collapse:collapse;font-size:14px{"}"}
            th,td{"{"}border:1px solid #e5e7eb;padding:4px 6px;text-align:left;white-space:nowrap{"}"} thead{"{"}position:sticky;top:0;z-index:2{"}"} thead th,thead td{"{"}background:#f3f4f6{"}"}
            thead tr:first-child th{"{"}white-space:normal;min-width:7em;vertical-align:bottom{"}"} thead th code{"{"}display:block;font-size:11px;color:#4b5563{"}"}
            tbody th,thead th:first-child{"{"}position:sticky;left:0;z-index:1{"}"} tbody th{"{"}background:#fff{"}"}
            .grid{"{"}overflow:auto;max-height:75vh;max-width:100%{"}"} .again{"{"}display:block;font-size:12px;color:#1d4ed8{"}"} .filters label{"{"}margin-right:12px{"}"}
            .sent{"{"}background:#dcfce7{"}"} .due{"{"}background:#fef9c3{"}"} .scheduled{"{"}background:#e0f2fe{"}"} .failed{"{"}background:#fee2e2{"}"}
            .missed,.superseded{"{"}background:#f3f4f6;color:#4b5563{"}"} .disabled,.not_applicable{"{"}color:#6b7280{"}"}
            td a{"{"}color:inherit;text-decoration:none{"}"} td a:hover,td a:focus{"{"}text-decoration:underline;outline:2px solid #1d4ed8{"}"} form{"{"}margin:12px 0{"}"}
            </style></head><body>
            <h1>{e.Encode(status.CourseName)}</h1>
            <p>{e.Encode(string.Format(CultureInfo.InvariantCulture, t.StatusIntro, status.CourseId, CoursePages.Minute(status.At), status.Learners))}</p>
            <p><a href="/courses/{status.CourseId}/settings{e.Encode(carried)}">{e.Encode(t.SettingsLink)}</a></p>
            <form method="get" class="filters"><label>{e.Encode(t.State)} <select name="state"><option value="">{e.Encode(t.AnyState)}</option>
            """);
        foreach (var state in Enum.GetValues<DecisionState>())
        {
            var name = DecisionStates.Name(state);
            html.Append(CultureInfo.InvariantCulture, $"<option value=\"{name}\"{(request.Query["state"] == name ? " selected" : "")}>{e.Encode(t.StateName(state))}</option>");
        }
        html.Append(CultureInfo.InvariantCulture, $"""</select></label> <label>{e.Encode(t.Initial)} <input name="initial" size="1" maxlength="1" value="{e.Encode(request.Query["initial"].ToString())}"></label> {Kept(request, e, "at", "pageSize", "code", "lang")}<label><input type="checkbox" name="active" value="1"{(request.Query["active"] == "1" ? " checked" : "")}> {e.Encode(t.ActiveOnly)}</label> <label><input type="checkbox" name="hideEmpty" value="1"{(request.Query["hideEmpty"] == "1" ? " checked" : "")}> {e.Encode(t.HideEmpty)}</label> <button type="submit">{e.Encode(t.Filter)}</button></form>""");
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"grid\" role=\"region\" aria-label=\"{e.Encode(t.GridLabel)}\" tabindex=\"0\"><table><thead><tr><th scope=\"col\">{e.Encode(t.Learner)}</th>");
        foreach (var signal in status.Signals)
        {
            html.Append(CultureInfo.InvariantCulture, $"<th scope=\"col\" data-signal=\"{e.Encode(signal)}\">{e.Encode(t.SignalName(signal))}<code>{e.Encode(signal)}</code></th>");
        }
        html.Append(CultureInfo.InvariantCulture, $"</tr><tr><th scope=\"row\">{e.Encode(t.Totals)}</th>");
        foreach (var signal in status.Signals)
        {
            var totals = status.Totals[signal].OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{(DecisionStates.Parse(c.Key) is { } named ? t.StateName(named) : c.Key)} {c.Value}");
            html.Append(CultureInfo.InvariantCulture, $"<td>{e.Encode(string.Join(", ", totals))}</td>");
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
                var asked = row.AskedBy?.GetValueOrDefault(signal) is { } by ? string.Format(CultureInfo.InvariantCulture, t.AskedBy, by) : "";
                var anchor = d.Anchor is { } day ? $" ({string.Format(CultureInfo.InvariantCulture, t.AnchorOf, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))})" : "";
                var reason = $"{t.StateName(d.State)}{anchor}{t.Colon}{t.Reason(d.Reason)}{asked}";
                // A mail that went out (or failed) is previewed as of the instant it was sent: its days and dates as the learner read them.
                var previewAt = d.State is DecisionState.Sent or DecisionState.Failed && d.At is { } sentAt ? sentAt : status.At;
                var preview = $"/courses/{status.CourseId}/learners/{row.LearnerId}/mails/{Uri.EscapeDataString(signal)}?at={Uri.EscapeDataString(previewAt.ToString("O"))}{key}";
                var shown = $"{t.StateName(d.State)} {when}".TrimEnd();
                html.Append(CultureInfo.InvariantCulture,
                    $"<td class=\"{state}\"><a href=\"{e.Encode(preview)}\" title=\"{e.Encode(reason)}\" aria-label=\"{e.Encode(string.Format(CultureInfo.InvariantCulture, t.CellLabel, shown, t.SignalName(signal), reason))}\">{e.Encode(shown)}</a>");
                if (d.State == DecisionState.Sent && SignalKeys.IndexOf(signal) >= 0 && d.Anchor is { } sentAnchor)
                {
                    var again = $"/courses/{status.CourseId}/learners/{row.LearnerId}/mails/{Uri.EscapeDataString(signal)}/resend?anchor={sentAnchor:yyyy-MM-dd}&repeat={d.Repeat}{key}";
                    html.Append(CultureInfo.InvariantCulture, $"<a class=\"again\" href=\"{e.Encode(again)}\" aria-label=\"{e.Encode(string.Format(CultureInfo.InvariantCulture, t.SendAgainLabel, t.SignalName(signal), row.Name))}\">{e.Encode(t.SendAgain)}</a>");
                }
                html.Append("</td>");
            }
            html.Append("</tr>");
        }
        html.Append("</tbody></table></div>");
        var pages = Math.Max(1, (status.Learners + status.PageSize - 1) / status.PageSize);
        html.Append(CultureInfo.InvariantCulture, $"<nav aria-label=\"{e.Encode(t.Pages)}\"><p>{e.Encode(string.Format(CultureInfo.InvariantCulture, t.PageOf, status.Page, pages))} ");
        foreach (var (label, target) in new[] { (t.PreviousPage, status.Page - 1), (t.NextPage, status.Page + 1) })
        {
            if (target >= 1 && target <= pages)
            {
                var query = request.Query.Where(q => q.Key != "page").Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}").Append($"page={target}");
                html.Append(CultureInfo.InvariantCulture, $"<a href=\"?{e.Encode(string.Join('&', query))}\">{e.Encode(label)}</a> ");
            }
        }
        html.Append("</p></nav></body></html>");
        return html.ToString();
    }
}
