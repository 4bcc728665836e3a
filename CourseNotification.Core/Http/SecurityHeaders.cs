using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace CourseNotification.Http;

/// <summary>
/// The headers every answer of both hosts carries: a Content-Security-Policy that lets our pages load
/// nothing but their own inline style and post forms only to us, never framed; no content sniffing; no
/// referrer (a questionnaire or unsubscribe link holds its token); and <c>no-store</c>, since nearly every
/// answer names learners. A page that needs more sets its own policy with <see cref="WithPolicy"/>.
/// </summary>
public static class SecurityHeaders
{
    public const string DefaultPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The mail preview shows the mail's HTML in a sandboxed <c>srcdoc</c> frame, which inherits this
    /// policy: the mail may show images (a course's own texts may hold some), but still runs nothing.
    /// </summary>
    public const string MailPreviewPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Adds the headers when the answer starts, keeping a policy or cache rule the answer set itself.</summary>
    public static void Apply(HttpResponse response) => response.OnStarting(static state =>
    {
        var headers = ((HttpResponse)state).Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (headers.ContentSecurityPolicy.Count == 0)
        {
            headers.ContentSecurityPolicy = DefaultPolicy;
        }
        if (headers.CacheControl.Count == 0)
        {
            headers.CacheControl = "no-store";
        }
        return Task.CompletedTask;
    }, response);

    /// <summary>The answer with its own Content-Security-Policy instead of the default one.</summary>
    public static IResult WithPolicy(IResult result, string policy) => new PolicyResult(result, policy);

    private sealed class PolicyResult(IResult inner, string policy) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[HeaderNames.ContentSecurityPolicy] = policy;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
