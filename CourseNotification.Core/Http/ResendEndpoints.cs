using System.Globalization;
using CourseNotification.Dispatch;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Http;

/// <summary>
/// "Send again", from the status page: <c>GET /courses/{id}/learners/{learnerId}/mails/{signal}/resend?anchor=&amp;repeat=</c>
/// asks to confirm, <c>POST</c> the same re-arms that one sent mail in the ledger (docs/signals.md, "Send
/// again"), recording who asked and when; the next scan sends it, once.
/// </summary>
public sealed class ResendEndpoints(SendContextReader contexts, LedgerStore ledger, IOptions<PlatformOptions> platform, TimeProvider clock, ILogger<ResendEndpoints> logger)
{
    public async Task<IResult> GetAsync(long courseId, long learnerId, string signal, HttpRequest request, CancellationToken cancellationToken)
    {
        var (found, refusal) = await FindAsync(courseId, learnerId, signal, request.Query["anchor"].ToString(), request.Query["repeat"].ToString(), cancellationToken);
        if (found is not { } sent)
        {
            return Readable(refusal!, courseId, signal, request);
        }
        var e = LearnerPage.Encoder;
        var t = CoursePageTexts.Of(request, platform.Value.DefaultLanguage);
        var carried = CoursePages.Carried(request);
        var name = $"{sent.Context.Learner?.FirstName} {sent.Context.Learner?.LastName}".Trim();
        var went = string.Format(CultureInfo.InvariantCulture, t.ResendWent, t.SignalName(signal), name.Length > 0 ? name : $"#{learnerId}",
            sent.Decision.At is { } at ? CoursePages.Minute(at) : "?");
        var body = $"""
            <p>{e.Encode(went)}</p>
            <p>{e.Encode(t.ResendExplain)}</p>
            <form method="post" action="/courses/{courseId}/learners/{learnerId}/mails/{Uri.EscapeDataString(signal)}/resend{e.Encode(carried)}">
            <input type="hidden" name="anchor" value="{sent.Decision.Anchor:yyyy-MM-dd}"><input type="hidden" name="repeat" value="{sent.Decision.Repeat}">
            <button type="submit">{e.Encode(t.ResendYes)}</button> <a href="/courses/{courseId}/status{e.Encode(carried)}">{e.Encode(t.ResendNo)}</a></form>
            """;
        return LearnerPage.Page(200, t.Lang, sent.Context.Course.FullName, t.ResendQuestion, body);
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
            return Readable(refusal!, courseId, signal, request);
        }
        var now = clock.GetUtcNow();
        var outcome = await ledger.RearmAsync(sent.Decision.Key!, sent.Context.History, request.HttpContext.DisplayName(), now, cancellationToken);
        var t = CoursePageTexts.Of(request, platform.Value.DefaultLanguage);
        var e = LearnerPage.Encoder;
        var back = BackLink(courseId, request, t);
        if (outcome == RearmOutcome.AlreadyAsked)
        {
            return LearnerPage.Page(409, t.Lang, sent.Context.Course.FullName, t.AlreadyAsked,
                $"<p>{e.Encode(string.Format(CultureInfo.InvariantCulture, t.AlreadyAskedText, t.SignalName(signal)))}</p>{back}");
        }
        logger.LogInformation("{Signal} for learner {LearnerId} in course {CourseId} asked to be sent again", signal, learnerId, courseId);
        var asked = string.Format(CultureInfo.InvariantCulture, t.AskedText, t.SignalName(signal), request.HttpContext.DisplayName(), CoursePages.Minute(now));
        return LearnerPage.Page(200, t.Lang, sent.Context.Course.FullName, t.Asked, $"<p>{e.Encode(asked)}</p>{back}");
    }

    /// <summary>
    /// A refusal as the person at the page sees it: a mail that is no longer a sent one (a second click, a
    /// colleague's request, the learner's situation changed) is a page in their language; a link that was
    /// tampered with (no such signal or learner, a malformed day) stays problem+json.
    /// </summary>
    private IResult Readable(IResult refusal, long courseId, string signal, HttpRequest request)
    {
        if (refusal is not ProblemHttpResult { StatusCode: 409 })
        {
            return refusal;
        }
        var t = CoursePageTexts.Of(request, platform.Value.DefaultLanguage);
        var text = string.Format(CultureInfo.InvariantCulture, t.NothingToResendText, t.SignalName(signal));
        return LearnerPage.Page(409, t.Lang, platform.Value.SiteName, t.NothingToResend, $"<p>{LearnerPage.Encoder.Encode(text)}</p>{BackLink(courseId, request, t)}");
    }

    private static string BackLink(long courseId, HttpRequest request, CoursePageTexts t) =>
        $"<p><a href=\"/courses/{courseId}/status{LearnerPage.Encoder.Encode(CoursePages.Carried(request))}\">{LearnerPage.Encoder.Encode(t.BackToStatus)}</a></p>";

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
