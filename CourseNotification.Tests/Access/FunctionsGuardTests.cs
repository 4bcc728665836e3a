using CourseNotification.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Tests.Access;

/// <summary>
/// The guard as the Function App's worker runs it: the host checks no key on a course's routes (they are
/// anonymous to it so a session can open them), so the guard must refuse them without a session, the
/// admin key (<c>Access__AdminKey</c>) or a trusted App Service sign-in, and leave the other routes to the host.
/// </summary>
[TestClass]
public sealed class FunctionsGuardTests
{
    private const string AdminKey = "admin-key-0123456789abcdef";

    private static readonly IServiceProvider Services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();

    private static int? Status(RequestGuardOptions options, string method, string path, params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext { RequestServices = Services };
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.Host = new HostString("cn.azurewebsites.net");
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }
        var guard = new RequestGuard(options, RouteRules.Described);
        // What InvokeAsync does before checking: the App Service principal, when trusted.
        guard.InvokeAsync(context, () => Task.CompletedTask).GetAwaiter().GetResult();
        return context.Response.StatusCode == 200 ? null : context.Response.StatusCode;
    }

    [TestMethod]
    public void Course_routes_need_proof_in_the_worker_and_other_routes_are_left_to_the_host()
    {
        var bare = new RequestGuardOptions { CourseRoutesNeedProof = true };
        Assert.AreEqual(401, Status(bare, "GET", "/courses/7/status"), "no session, no key: refused");
        Assert.AreEqual(401, Status(bare, "GET", "/api/courses/7/status", ("x-functions-key", AdminKey)), "without Access__AdminKey, a key proves nothing here");
        Assert.AreEqual(401, Status(bare, "GET", "/courses/7/status", ("X-MS-CLIENT-PRINCIPAL-ID", "someone")), "a sign-in header is not trusted unless sign-in is on");
        Assert.IsNull(Status(bare, "GET", "/overview"), "a site-wide route: the host checked its function key");

        var keyed = bare with { CourseKey = AdminKey };
        Assert.IsNull(Status(keyed, "GET", "/courses/7/status", ("x-functions-key", AdminKey)));
        Assert.AreEqual(401, Status(keyed, "GET", "/courses/7/status", ("x-functions-key", "not-the-admin-key-0000")));

        var signedIn = bare with { TrustAppServiceSignIn = true };
        Assert.IsNull(Status(signedIn, "GET", "/courses/7/status", ("X-MS-CLIENT-PRINCIPAL-ID", "oid-1"), ("X-MS-CLIENT-PRINCIPAL-NAME", "admin@example.org")));
        Assert.AreEqual(401, Status(signedIn, "GET", "/courses/7/status"));
    }

    [TestMethod]
    public void The_display_name_says_who_made_a_change()
    {
        var context = new DefaultHttpContext();
        Assert.AreEqual("administrator", context.DisplayName());
        Caller.Attach(context, new CourseSession(7, 42, "Léa Martin", [CoursePermissions.View], "fr", DateTimeOffset.UtcNow.AddHours(1)));
        Assert.AreEqual("Léa Martin (Moodle user 42)", context.DisplayName());
        Assert.AreEqual(42, context.CourseSession()!.UserId);
        Assert.AreEqual("Léa Martin", context.User.Identity!.Name);
        var signedIn = new DefaultHttpContext();
        Caller.AttachSignedIn(signedIn, "admin@example.org");
        Assert.AreEqual("admin@example.org", signedIn.DisplayName());
    }
}
