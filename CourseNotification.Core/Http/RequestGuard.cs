using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace CourseNotification.Http;

/// <summary>
/// Who may call what, checked once before any route runs, with the levels of <see cref="RouteRules"/>:
/// the <c>Host</c> must be one of ours (a DNS-rebinding page names its own), a keyed route needs the key
/// (<c>?code=</c> or <c>x-functions-key</c>, as the Functions host takes it) when one is set, and a
/// request that changes something must come from one of our own pages or from no browser at all, with
/// the content type its route takes (so a cross-site form or <c>text/plain</c> post cannot reach a route).
/// The Functions host checks the key and the host itself; the Cli's <c>serve</c> has this guard do all.
/// A course's routes (<see cref="RouteRule.CoursePermission"/>) also open to that course's session (a
/// cookie from a Moodle grant, <see cref="CourseAccess"/>) when it allows what the route does, and to an
/// administrator signed in through App Service when that is trusted; a session never opens another course.
/// </summary>
public sealed class RequestGuard(RequestGuardOptions options, RouteRules rules, CourseAccess? access = null)
{
    private readonly byte[]? _keyHash = string.IsNullOrEmpty(options.Key) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.Key));
    private readonly byte[]? _courseKeyHash = string.IsNullOrEmpty(options.CourseKey) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.CourseKey));

    /// <summary>The security headers on the answer, then the request refused or passed on: both hosts' one middleware.</summary>
    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        SecurityHeaders.Apply(context.Response);
        await IdentifyAsync(context);
        if (Check(context) is { } refusal)
        {
            await (Readable(context.Request, refusal) ?? refusal).ExecuteAsync(context);
            return;
        }
        await next();
    }

    /// <summary>The course session the request carries for the course its route is about; an App Service sign-in when trusted.</summary>
    private async Task IdentifyAsync(HttpContext context)
    {
        var request = context.Request;
        if (options.TrustAppServiceSignIn && request.Headers["X-MS-CLIENT-PRINCIPAL-ID"] is { Count: > 0 } id && id[0] is { Length: > 0 })
        {
            Caller.AttachSignedIn(context, request.Headers["X-MS-CLIENT-PRINCIPAL-NAME"] is { Count: > 0 } name && name[0] is { Length: > 0 } n ? n : id[0]!);
            return;
        }
        if (access is not null && rules.Find(request.Method, request.Path) is { CoursePermission: not null } route
            && route.CourseIdOf(request.Path) is { } courseId
            && request.Cookies[CourseAccess.CookieName(courseId)] is { Length: > 0 } cookie
            && await access.OpenAsync(cookie, courseId, context.RequestAborted) is { } session)
        {
            Caller.Attach(context, session);
        }
    }

    /// <summary>
    /// A refusal of a page a browser navigated to, as a page a person can read rather than JSON, in their
    /// language: a course's page reached without a session says where it opens from.
    /// </summary>
    private IResult? Readable(HttpRequest request, IResult refusal)
    {
        if (refusal is not ProblemHttpResult problem || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            || !request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var t = CoursePageTexts.Of(request, options.DefaultLanguage);
        string[] said = problem.StatusCode == 401 && string.IsNullOrEmpty(GivenKey(request)) && rules.Find(request.Method, request.Path)?.CoursePermission is not null
            ? [t.OpenFromMoodle]
            : [problem.ProblemDetails.Detail ?? "", t.TeachersHint];
        return LearnerPage.Render(problem.StatusCode, t.Lang, options.SiteName, t.Refused, said);
    }

    /// <summary>The key the request gives, as the Functions host reads it: <c>?code=</c>, else the <c>x-functions-key</c> header.</summary>
    private static string? GivenKey(HttpRequest request) =>
        request.Query["code"] is { Count: > 0 } code ? code[0] : request.Headers["x-functions-key"] is { Count: > 0 } header ? header[0] : null;

    /// <summary>The refusal, as problem+json, or null when the request may go on.</summary>
    public IResult? Check(HttpContext context)
    {
        var request = context.Request;
        if (options.AllowedHosts is { } hosts && !hosts.Contains(request.Host.Host) && !IsLoopback(request.Host.Host))
        {
            return Problems.Field(400, "Host", "This service does not answer to that host name.");
        }
        var route = rules.Find(request.Method, request.Path);
        var open = route?.Open == true;
        var keyed = false;
        var keyHash = _keyHash;
        var bySession = false;
        if (route?.CoursePermission is { } permission)
        {
            if (context.CourseSession() is { } session && session.CourseId == route.CourseIdOf(request.Path))
            {
                if (!session.May(permission))
                {
                    return Problems.Field(403, "permission", $"Your access to course {session.CourseId} from Moodle does not let you do this ({permission}).");
                }
                // Not "open" nor "keyed": a change still has to come from our own pages (see Foreign).
                bySession = true;
            }
            else if (options.TrustAppServiceSignIn && context.User.Identity is { AuthenticationType: "AppServiceSignIn" })
            {
                keyed = true;
            }
            else
            {
                keyHash = _courseKeyHash ?? _keyHash;
                if (keyHash is null && options.CourseRoutesNeedProof)
                {
                    return Problems.Field(401, "code", "This course's pages open from the course in Moodle (the CourseNotification block), or to an administrator.");
                }
            }
        }
        if (keyHash is not null && !open && !keyed && !bySession)
        {
            var given = GivenKey(request);
            if (string.IsNullOrEmpty(given))
            {
                return Problems.Field(401, "code", route?.CoursePermission is null
                    ? "This route needs the service's key: add ?code=<key> or the x-functions-key header."
                    : "This course's pages open from the course in Moodle (the CourseNotification block: your session for this course has expired or was never opened), or with the service's key (?code=<key> or the x-functions-key header).");
            }
            if (!CryptographicOperations.FixedTimeEquals(keyHash, SHA256.HashData(Encoding.UTF8.GetBytes(given))))
            {
                return Problems.Field(401, "code", "The key is not valid.");
            }
            keyed = true;
        }
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        {
            return null;
        }
        if (Foreign(request, open || keyed))
        {
            return Problems.Field(403, "Origin", "A request that changes something is only taken from this service's own pages or from a client that is not a browser.");
        }
        if (HasBody(request) && route is not null)
        {
            var type = MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.Value : null;
            if (!route.Accepts.Contains(type ?? "", StringComparer.OrdinalIgnoreCase))
            {
                var takes = route.Accepts.Count == 0 ? "no body" : string.Join(" or ", route.Accepts);
                return Problems.Field(415, "Content-Type", $"{(type is null ? "A body without a content type" : $"Content type '{type}'")} is not taken here: this route takes {takes}.");
            }
        }
        return null;
    }

    /// <summary>
    /// A browser's request from another site. The browser says so itself in <c>Sec-Fetch-Site</c> (sent
    /// to https and loopback addresses, whatever proxy stands between). Otherwise an <c>Origin</c> names
    /// the page's origin, or is <c>null</c> for a page under <c>Referrer-Policy: no-referrer</c> (ours too)
    /// or in a sandbox: with <c>Origin: null</c> and no fetch metadata (an old browser, or plain http to a
    /// LAN address) only an open route or the right key lets it through. A request with neither header is
    /// not a browser's cross-site request.
    /// </summary>
    private bool Foreign(HttpRequest request, bool openOrKeyed)
    {
        if (request.Headers["Sec-Fetch-Site"] is { Count: > 0 } site)
        {
            return site[0] is not ("same-origin" or "none");
        }
        var origin = request.Headers.Origin is { Count: > 0 } o ? o[0] : null;
        if (origin is null)
        {
            return false;
        }
        if (origin == "null")
        {
            return !openOrKeyed;
        }
        return !Uri.TryCreate(origin, UriKind.Absolute, out var uri) || !(SameOrigin(uri, request) || options.TrustedOrigins.Any(t => SameOrigin(uri, t)));
    }

    private static bool SameOrigin(Uri origin, HttpRequest request) =>
        string.Equals(origin.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(origin.Host, request.Host.Host, StringComparison.OrdinalIgnoreCase)
        && origin.Port == (request.Host.Port ?? (request.IsHttps ? 443 : 80));

    private static bool SameOrigin(Uri origin, Uri trusted) =>
        string.Equals(origin.Scheme, trusted.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(origin.Host, trusted.Host, StringComparison.OrdinalIgnoreCase)
        && origin.Port == trusted.Port;

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    /// <summary><c>localhost</c> (and names under it) and loopback addresses.</summary>
    public static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}

/// <summary>What <see cref="RequestGuard"/> checks beyond the routes' levels.</summary>
public sealed record RequestGuardOptions
{
    /// <summary>The key keyed routes need (null: not checked here; the Functions host checks its own keys).</summary>
    public string? Key { get; init; }

    /// <summary>Host names answered besides loopback ones (null: any; the Functions host has its own bindings).</summary>
    public IReadOnlySet<string>? AllowedHosts { get; init; }

    /// <summary>Origins trusted besides the request's own (the public URL, when a proxy changes scheme or port).</summary>
    public IReadOnlyList<Uri> TrustedOrigins { get; init; } = [];

    /// <summary>The key that opens a course's routes when <see cref="Key"/> is not checked here (the Function App's <c>Access__AdminKey</c>); null: <see cref="Key"/>.</summary>
    public string? CourseKey { get; init; }

    /// <summary>
    /// A course's routes need a session, a sign-in or a key even when no key is set here: in the Function
    /// App they are anonymous to the host (so a session can open them), and this guard is all that stands.
    /// </summary>
    public bool CourseRoutesNeedProof { get; init; }

    /// <summary>App Service sign-in is on: its <c>X-MS-CLIENT-PRINCIPAL-*</c> headers come from the platform alone.</summary>
    public bool TrustAppServiceSignIn { get; init; }

    /// <summary>The language of a refusal page when neither the request nor the browser names one (<c>Platform__DefaultLanguage</c>).</summary>
    public string DefaultLanguage { get; init; } = "fr";

    /// <summary>The site named on a refusal page (<c>Platform__SiteName</c>).</summary>
    public string SiteName { get; init; } = "CourseNotification";
}
