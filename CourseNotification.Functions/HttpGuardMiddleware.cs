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
/// </summary>
internal sealed class HttpGuardMiddleware(IOptions<PlatformOptions> platform) : IFunctionsWorkerMiddleware
{
    private readonly RequestGuard _guard = new(
        new RequestGuardOptions { TrustedOrigins = Uri.TryCreate(platform.Value.PublicUrl, UriKind.Absolute, out var publicUrl) ? [publicUrl] : [] },
        RouteRules.Described);

    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next) =>
        context.GetHttpContext() is { } http ? _guard.InvokeAsync(http, () => next(context)) : next(context);
}
