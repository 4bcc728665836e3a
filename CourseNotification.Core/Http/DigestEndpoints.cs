using System.Text.Json;
using CourseNotification.Digest;
using Microsoft.AspNetCore.Http;

namespace CourseNotification.Http;

/// <summary>
/// <c>GET /api/people/{id}/digest?at=</c>: a person's weekly digest as it would go out at an instant (their
/// courses with the digest on, the lists, the mail), without sending anything;
/// <c>POST /api/people/{id}/digest/test</c> (<c>{"email": "..."}</c>): the same mail as of now to an
/// administrator's address, marked [Test], outside the ledger.
/// </summary>
public sealed class DigestEndpoints(TrainerDigests digests, TimeProvider clock)
{
    public async Task<IResult> GetJsonAsync(long id, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!QueryInstant.TryRead(request, clock, out var at, out var problem))
        {
            return problem;
        }
        var content = await digests.ReadAsync(id, at, cancellationToken);
        if (content is not { Courses.Count: > 0 })
        {
            var refusal = TrainerDigests.NotARecipient(id, content);
            return Problems.Field(refusal.Status, refusal.Field, refusal.Message);
        }
        var mail = digests.Render(content, at, null);
        object Names(IReadOnlyList<DigestLearner> listed) => listed.Select(l => new { l.LearnerId, l.Name, l.Detail, l.Sent });
        return Results.Ok(new
        {
            personId = id,
            at,
            dueWeek = content.DueWeek(at),
            wouldSend = content.WorthSending,
            courses = content.Courses.Select(c => new
            {
                courseId = c.Course.Id,
                course = c.Course.FullName,
                day = c.Schedule.Day.ToString(),
                c.Schedule.Hour,
                c.Schedule.SendWhenEmpty,
                neverCame = Names(c.NeverCame), c.NeverCameTotal,
                inactive = Names(c.Inactive), c.InactiveTotal,
                endingSoon = Names(c.EndingSoon), c.EndingSoonTotal,
                c.StatusUrl,
            }),
            language = mail.Language, subject = mail.Subject, html = mail.Html, text = mail.Text,
        });
    }

    public async Task<IResult> PostTestAsync(long id, HttpRequest request, CancellationToken cancellationToken)
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
        var refusal = await digests.SendTestAsync(id, body["email"]!.GetValue<string>(), cancellationToken);
        return refusal is null
            ? Results.Accepted(value: new { personId = id, sent = true })
            : Problems.Field(refusal.Status, refusal.Field, $"No test sent: {refusal.Message}");
    }
}
