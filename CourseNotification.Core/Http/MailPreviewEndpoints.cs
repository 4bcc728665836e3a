using System.Globalization;
using System.Text.Json;
using CourseNotification.Dispatch;
using CourseNotification.Settings;
using CourseNotification.Signals;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace CourseNotification.Http;

/// <summary>
/// A learner's mail for a signal, from the status page: <c>GET /api/courses/{id}/learners/{learnerId}/mails/{signal}</c>
/// (JSON) and <c>GET /courses/{id}/learners/{learnerId}/mails/{signal}</c> (a page showing it, with a form
/// to send it as a test); <c>POST /api/courses/{id}/learners/{learnerId}/mails/{signal}/test</c> sends it
/// to an administrator's address (JSON <c>{"email": ...}</c>, or that page's form, answered with a page).
/// </summary>
public sealed class MailPreviewEndpoints(LearnerMails mails, IOptions<PlatformOptions> platform, TimeProvider clock)
{
    public async Task<IResult> GetJsonAsync(long courseId, long learnerId, string signal, HttpRequest request, CancellationToken cancellationToken)
    {
        var (preview, refusal) = await PreviewAsync(courseId, learnerId, signal, request, cancellationToken);
        return preview is null
            ? refusal!
            : Results.Ok(new
            {
                courseId, learnerId, signal,
                state = DecisionStates.Name(preview.Decision.State), reason = preview.Decision.Reason, at = preview.Decision.At,
                language = preview.Mail.Language, subject = preview.Mail.Subject, html = preview.Mail.Html, text = preview.Mail.Text,
            });
    }

    public async Task<IResult> GetHtmlAsync(long courseId, long learnerId, string signal, HttpRequest request, CancellationToken cancellationToken)
    {
        var (preview, refusal) = await PreviewAsync(courseId, learnerId, signal, request, cancellationToken);
        if (preview is null)
        {
            return refusal!;
        }
        var e = LearnerPage.Encoder;
        var t = CoursePageTexts.Of(request, platform.Value.DefaultLanguage);
        var d = preview.Decision;
        var carried = CoursePages.Carried(request);
        // "sent (2026-02-26 22:05 UTC): reason": the instant and the reason only when there is one.
        var when = d.At is { } at ? $" ({CoursePages.Minute(at)} UTC)" : "";
        var why = string.IsNullOrWhiteSpace(d.Reason) ? "" : t.Colon + t.Reason(d.Reason);
        var about = string.Format(CultureInfo.InvariantCulture, t.PreviewAbout, learnerId, t.SignalName(signal), t.StateName(d.State) + when + why, t.LanguageName(preview.Mail.Language));
        var body = $"""
            <p><a href="/courses/{courseId}/status{e.Encode(carried)}">{e.Encode(t.BackToStatus)}</a></p>
            <p data-signal="{e.Encode(signal)}" data-state="{DecisionStates.Name(d.State)}">{e.Encode(about)}</p>
            <h2>{e.Encode(t.Subject)}</h2><p>{e.Encode(preview.Mail.Subject)}</p>
            <h2>{e.Encode(t.HtmlPart)}</h2><iframe title="{e.Encode(t.HtmlPart)}" sandbox="" style="width:100%;height:520px;border:1px solid #d1d5db" srcdoc="{e.Encode(preview.Mail.Html)}"></iframe>
            <h2>{e.Encode(t.TextPart)}</h2><pre style="white-space:pre-wrap;background:#f9fafb;padding:12px">{e.Encode(preview.Mail.Text)}</pre>
            <h2>{e.Encode(t.SendTest)}</h2>
            <form method="post" action="/api/courses/{courseId}/learners/{learnerId}/mails/{Uri.EscapeDataString(signal)}/test{e.Encode(carried)}">
            <label>{e.Encode(t.TestAddress)} <input type="email" name="email" required></label> <button type="submit">{e.Encode(t.SendTestButton)}</button></form>
            """;
        return SecurityHeaders.WithPolicy(LearnerPage.Page(200, t.Lang, t.PreviewTitle, $"{preview.Mail.Subject}", body), SecurityHeaders.MailPreviewPolicy);
    }

    public async Task<IResult> PostTestAsync(long courseId, long learnerId, string signal, HttpRequest request, CancellationToken cancellationToken)
    {
        string? address;
        var fromForm = request.HasFormContentType;
        if (fromForm)
        {
            address = (await FormBody.TryReadAsync(request, 4 * 1024, cancellationToken))?["email"].ToString();
        }
        else
        {
            var (json, _, problem) = await JsonBody.ReadAsync(request, 4 * 1024, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }
            address = json is System.Text.Json.Nodes.JsonObject body && body["email"]?.GetValueKind() == JsonValueKind.String ? body["email"]!.GetValue<string>() : null;
        }
        var refusal = await mails.SendTestAsync(courseId, learnerId, signal, address ?? "", cancellationToken);
        if (fromForm)
        {
            var t = CoursePageTexts.Of(request, platform.Value.DefaultLanguage);
            return refusal is null
                ? LearnerPage.Render(200, t.Lang, t.PreviewTitle, t.TestSent, [string.Format(CultureInfo.InvariantCulture, t.TestSentText, t.SignalName(signal), learnerId, address)])
                : LearnerPage.Render(refusal.Status, t.Lang, t.PreviewTitle, t.NoTestSent, [$"{refusal.Field}{t.Colon}{refusal.Message}"]);
        }
        return refusal is null
            ? Results.Accepted(value: new { courseId, learnerId, signal, sent = true })
            : Problems.Field(refusal.Status, refusal.Field, $"No test sent: {refusal.Message}");
    }

    private async Task<(PreviewedMail? Preview, IResult? Problem)> PreviewAsync(long courseId, long learnerId, string signal, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!QueryInstant.TryRead(request, clock, out var at, out var problem))
        {
            return (null, problem);
        }
        var (preview, refusal) = await mails.PreviewAsync(courseId, learnerId, signal, at, cancellationToken);
        return (preview, refusal is null ? null : Problems.Field(refusal.Status, refusal.Field, refusal.Message));
    }
}
