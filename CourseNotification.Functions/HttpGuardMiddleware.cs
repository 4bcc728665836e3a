using CourseNotification.Http;
using CourseNotification.Settings;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Options;

namespace CourseNotification.Functions;

/// <summary>
/// The same guard as the Cli's <c>serve</c> in front of every HTTP trigger, less what the Functions host
/// does itself (keys by each trigger's <c>AuthorizationLevel</c>, host names by the app's bindings): the
/// security headers, and no cross-site request or wrong content type reaching a route that changes something.
/// A course's routes are anonymous to the host: here they need that course's session (from a Moodle grant),
/// App Service sign-in (when <c>Access__AppServiceSignIn</c> says it is on) or <c>Access__AdminKey</c>.
/// </summary>
internal sealed class HttpGuardMiddleware(IOptions<PlatformOptions> platform, IOptions<AccessOptions> access, CourseAccess sessions) : IFunctionsWorkerMiddleware
{
    private readonly RequestGuard _guard = new(
        new RequestGuardOptions
        {
            TrustedOrigins = Uri.TryCreate(platform.Value.PublicUrl, UriKind.Absolute, out var publicUrl) ? [publicUrl] : [],
            CourseKey = access.Value.AdminKey is { Length: > 0 } key ? key : null,
            CourseRoutesNeedProof = true,
            TrustAppServiceSignIn = access.Value.AppServiceSignIn,
            DefaultLanguage = platform.Value.DefaultLanguage,
            SiteName = platform.Value.SiteName,
        },
        RouteRules.Described,
        sessions);

    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next) =>
        context.GetHttpContext() is { } http ? _guard.InvokeAsync(http, () => next(context)) : next(context);
}
