using System.Globalization;
using CourseNotification.Dispatch;
using CourseNotification.Signals;
using CourseNotification.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Http;

/// <summary>
/// "Send again", from the status page: <c>GET /courses/{id}/learners/{learnerId}/mails/{signal}/resend?anchor=&amp;repeat=</c>
/// asks to confirm, <c>POST</c> the same re-arms that one sent mail in the ledger (docs/signals.md, "Send
/// again"), recording who asked and when; the next scan sends it, once.
/// </summary>
public sealed class ResendEndpoints(SendContextReader contexts, LedgerStore ledger, TimeProvider clock, ILogger<ResendEndpoints> logger)
{
    public async Task<IResult> GetAsync(long courseId, long learnerId, string signal, HttpRequest request, CancellationToken cancellationToken)
    {
        var (found, refusal) = await FindAsync(courseId, learnerId, signal, request.Query["anchor"].ToString(), request.Query["repeat"].ToString(), cancellationToken);
        if (found is not { } sent)
        {
            return refusal!;
        }
        var e = LearnerPage.Encoder;
        var key = Key(request);
        var name = $"{sent.Context.Learner?.FirstName} {sent.Context.Learner?.LastName}".Trim();
        var body = $"""
            <p>The <strong>{e.Encode(signal)}</strong> mail went to <strong>{e.Encode(name.Length > 0 ? name : $"learner {learnerId}")}</strong> on {sent.Decision.At?.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC.</p>
            <p>Send it again? It goes out once, at the next scan (at the learner's send hour, outside quiet hours), with the course's texts as they are then. The request is recorded with who made it.</p>
            <form method="post" action="/courses/{courseId}/learners/{learnerId}/mails/{Uri.EscapeDataString(signal)}/resend{e.Encode(key)}">
            <input type="hidden" name="anchor" value="{sent.Decision.Anchor:yyyy-MM-dd}"><input type="hidden" name="repeat" value="{sent.Decision.Repeat}">
            <button type="submit">Yes, send it again</button> <a href="/courses/{courseId}/status{e.Encode(key)}">No, back to the course status</a></form>
            """;
        return LearnerPage.Page(200, "en", "Course status", "Send this mail again?", body);
    }

    public async Task<IResult> PostAsync(long courseId, long learnerId, string signal, HttpRequest request, CancellationToken cancellationToken)
    {
        if (await FormBody.TryReadAsync(request, 4 * 1024, cancellationToken) is not { } form)
        {
            return Problems.Field(400, "body", "The body must be the confirmation form.");
        }
        var (found, refusal) = await FindAsync(courseId, learnerId, signal, form["anchor"].ToString(), form["repeat"].ToString(), cancellationToken);
        if (found is not { } sent)
        {
            return refusal!;
        }
        var now = clock.GetUtcNow();
        var outcome = await ledger.RearmAsync(sent.Decision.Key!, sent.Context.History, request.HttpContext.DisplayName(), now, cancellationToken);
        var back = $"/courses/{courseId}/status{Key(request)}";
        if (outcome == RearmOutcome.AlreadyAsked)
        {
            return LearnerPage.Render(409, "en", "Course status", "Already asked", [$"This {signal} mail was already asked to go out again and has not gone yet: nothing more was recorded. Back to the course status: {back}"]);
        }
        logger.LogInformation("{Signal} for learner {LearnerId} in course {CourseId} asked to be sent again", signal, learnerId, courseId);
        return LearnerPage.Render(200, "en", "Course status", "Asked to send again",
            [$"The {signal} mail will go out again at the next scan. Recorded: asked by {request.HttpContext.DisplayName()} on {now.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC.", $"Back to the course status: {back}"]);
    }

    private static string Key(HttpRequest request) =>
        request.Query["code"] is { Count: > 0 } code ? $"?code={Uri.EscapeDataString(code[0]!)}" : "";

    /// <summary>The learner's decision for the signal now, which must say "sent" for the send the page showed (anchor, repeat).</summary>
    private async Task<((SendContext Context, Decision Decision)? Found, IResult? Refusal)> FindAsync(
        long courseId, long learnerId, string signal, string anchorText, string repeatText, CancellationToken cancellationToken)
    {
        if (SignalKeys.IndexOf(signal) < 0)
        {
            return (null, Problems.Field(404, "signal", $"'{signal}' is not a signal whose mail can be sent again ({string.Join(", ", SignalKeys.All)})."));
        }
        if (!DateOnly.TryParseExact(anchorText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var anchor))
        {
            return (null, Problems.Field(400, "anchor", "anchor: the day of the send (yyyy-MM-dd) is expected."));
        }
        if (!int.TryParse(repeatText, NumberStyles.None, CultureInfo.InvariantCulture, out var repeat))
        {
            return (null, Problems.Field(400, "repeat", "repeat: a whole number is expected."));
        }
        if (await contexts.ReadAsync(courseId, learnerId, cancellationToken) is not { } context)
        {
            return (null, Problems.Field(404, "learnerId", $"Learner {learnerId} is not known in course {courseId}."));
        }
        var decision = SignalEngine.Evaluate(context.Course, context.Snapshot, context.History, context.Settings, clock.GetUtcNow(), signal);
        if (decision is not { State: DecisionState.Sent } sent || sent.Anchor != anchor || sent.Repeat != repeat)
        {
            return (null, Problems.Field(409, "signal", $"This {signal} mail is not (or no longer) a sent one: only a mail already sent can be sent again."));
        }
        return ((context, sent), null);
    }
}
