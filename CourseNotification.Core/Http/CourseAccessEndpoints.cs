using System.Text.Json.Nodes;
using CourseNotification.Enrolments;
using CourseNotification.Scanning;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace CourseNotification.Http;

/// <summary>One enabled signal's counts in a course, as the Moodle block shows them (names of those due on hover).</summary>
public sealed record SignalCounts(string Signal, int Due, int ScheduledThisWeek, int Sent, int Failed, IReadOnlyList<string> DueNames);

/// <summary>A course's counts per enabled signal, at an instant.</summary>
public sealed record CourseCounts(long CourseId, string CourseName, DateTimeOffset At, IReadOnlyList<SignalCounts> Signals);

/// <summary>
/// The ways in from Moodle's block: <c>GET /courses/{id}/enter?grant=</c> redeems a teacher's grant into a
/// session cookie for that course and opens its status page; <c>POST /api/courses/{id}/counts</c>, signed
/// like the plugin's webhooks, answers the block's counts per signal.
/// </summary>
public sealed class CourseAccessEndpoints(
    CourseAccess access, CourseStore courses, CourseDecisions decisions, SignalSettingsProvider settings, WebhookVerifier verifier, IOptions<PlatformOptions> platform, TimeProvider clock)
{
    /// <summary>Names of learners due given per signal, for the block's hover: enough to recognise, never the whole class.</summary>
    public const int MaxDueNames = 20;

    private const long MaxCountsBody = 4096;

    /// <summary>GET /courses/{id}/enter?grant=</summary>
    public async Task<IResult> EnterAsync(long courseId, HttpRequest request, CancellationToken cancellationToken)
    {
        var (session, refusal) = await access.RedeemAsync(request.Query["grant"], courseId, cancellationToken);
        if (refusal is { } why)
        {
            // Expired or used: following the link again from Moodle helps (401); anything else will not (403).
            var t = CoursePageTexts.Of(request, platform.Value.DefaultLanguage);
            return LearnerPage.Render(why is GrantRefusal.Expired or GrantRefusal.AlreadyUsed ? 401 : 403, t.Lang, platform.Value.SiteName, t.CannotOpen, [t.Refusal(why), t.Nothing]);
        }
        request.HttpContext.Response.Cookies.Append(CourseAccess.CookieName(courseId), await access.SealAsync(session!, cancellationToken), new CookieOptions
        {
            HttpOnly = true,
            // Plain http only on this machine (serve on loopback); anywhere else the cookie never crosses the network in clear.
            Secure = request.IsHttps || !RequestGuard.IsLoopback(request.Host.Host),
            SameSite = SameSiteMode.Lax,
            Path = "/",
            MaxAge = access.SessionLifetime,
            IsEssential = true,
        });
        return Results.Redirect($"/courses/{courseId}/status");
    }

    /// <summary>POST /api/courses/{id}/counts, body <c>{"course": id}</c>, signed with the plugin's secret (Standard Webhooks).</summary>
    public async Task<IResult> PostCountsAsync(long courseId, HttpRequest request, CancellationToken cancellationToken)
    {
        var (json, raw, problem) = await JsonBody.ReadAsync(request, MaxCountsBody, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        var headers = new WebhookHeaders(Header(request, "webhook-id"), Header(request, "webhook-timestamp"), Header(request, "webhook-signature"));
        if (verifier.Problem(headers, raw) is { } refused)
        {
            return Problems.Field(401, refused.Field, refused.Problem);
        }
        // The signature covers the body, not the path: the body names the course, and must name this one.
        if (json is not JsonObject body || body["course"] is not JsonValue value || !value.TryGetValue<long>(out var named) || named != courseId)
        {
            return Problems.Field(400, "course", "The body must be {\"course\": <the course id of the path>}.");
        }
        if (await courses.GetAsync(courseId, cancellationToken) is not { } course)
        {
            return Problems.Field(404, "id", $"Course {courseId} is not known here.");
        }
        var now = clock.GetUtcNow();
        var weekEnd = now.AddDays(7);
        var enabled = (await settings.ForAsync(course, cancellationToken)).EnabledSignals.ToList();
        var counts = enabled.ToDictionary(s => s, _ => (Due: 0, Scheduled: 0, Sent: 0, Failed: 0, Names: new List<string>()));
        // One pass over the course's decisions, as the status page makes them, without reading any learner.
        await foreach (var learner in decisions.EvaluateAsync(course, now, cancellationToken))
        {
            foreach (var decision in learner.Decisions)
            {
                if (!counts.TryGetValue(decision.Signal, out var c))
                {
                    continue;
                }
                switch (decision.State)
                {
                    case DecisionState.Due:
                        c.Due++;
                        if (c.Names.Count < MaxDueNames && learner.Snapshot.Profile is { } profile && $"{profile.FirstName} {profile.LastName}".Trim() is { Length: > 0 } name)
                        {
                            c.Names.Add(name);
                        }
                        break;
                    case DecisionState.Scheduled when decision.At is { } at && at <= weekEnd:
                        c.Scheduled++;
                        break;
                    case DecisionState.Sent:
                        c.Sent++;
                        break;
                    case DecisionState.Failed:
                        c.Failed++;
                        break;
                }
                counts[decision.Signal] = c;
            }
        }
        var signals = enabled.Select(s => counts[s]).Zip(enabled, (c, s) => new SignalCounts(s, c.Due, c.Scheduled, c.Sent, c.Failed, c.Names)).ToList();
        return Results.Ok(new CourseCounts(course.Id, course.FullName, now, signals));
    }

    private static string? Header(HttpRequest request, string name) => request.Headers[name] is { Count: > 0 } values ? values[0] : null;
}
