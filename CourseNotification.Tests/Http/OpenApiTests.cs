using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CourseNotification.Http;
using CourseNotification.Tests.Functions;
using CourseNotification.Tests.Integration;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Tests.Http;

/// <summary>
/// One route table (<see cref="RouteTable"/>): the local host maps it, the Functions app's HTTP triggers (as
/// the SDK wrote them into functions.metadata, which the host reads) and the OpenAPI description name
/// exactly its routes, with the same access level.
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed partial class OpenApiTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task The_description_the_local_host_and_the_functions_app_have_the_routes_of_the_one_table()
    {
        await using var host = await LocalHost.StartAsync(null, workers: false);
        var (serve, http) = (host.App, host.Http);
        var table = RouteTable.All.Select(r => $"{r.Method} {Normalize("/" + r.Template)}").Order().ToArray();
        Assert.AreEqual(RouteTable.All.Count, RouteTable.All.Select(r => r.Name).Distinct().Count(), "one name per route");
        Assert.AreEqual(table.Length, table.Distinct().Count(), "one entry per method and path");

        var document = JsonNode.Parse(await http.GetStringAsync("api/openapi.json", TestContext.CancellationToken))!;
        Assert.AreEqual("3.0.3", (string?)document["openapi"]);
        var described = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(method => $"{method.Key.ToUpperInvariant()} {path.Key}"))
            .Order().ToArray();

        var local = serve.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} {Normalize("/" + e.RoutePattern.RawText!.TrimStart('/'))}"))
            .Order().ToArray();

        CollectionAssert.AreEqual(table, described, "openapi.json");
        CollectionAssert.AreEqual(table, local, "the Cli's serve");
        CollectionAssert.AreEquivalent(
            RouteTable.All.Select(r => $"{r.Name} {r.Method} {r.Template} {r.HostLevel}").ToArray(),
            FunctionsMetadataRoutes().ToArray(),
            "the Functions app's HTTP triggers (functions.metadata): name, method, route and authorization level");
        foreach (var rule in RouteRules.Described.All)
        {
            var route = RouteTable.All.Single(r => r.Method == rule.Method && Normalize("/" + r.Template) == rule.Template);
            Assert.AreEqual(route.Access == RouteAccess.Anonymous, rule.Open, $"{rule.Method} {rule.Template}: open in openapi.json exactly when anonymous in the table");
            Assert.AreEqual(route.Access == RouteAccess.Course, rule.CoursePermission is not null, $"{rule.Method} {rule.Template}: a course session opens it in openapi.json exactly when it is a course route in the table");
        }
    }

    /// <summary>The HTTP triggers as the Functions SDK wrote them from the attributes into the built worker's functions.metadata.</summary>
    internal static IEnumerable<string> FunctionsMetadataRoutes() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(FunctionsWorker.Path)!, "functions.metadata")))!.AsArray()
            .Select(f => (Name: (string)f!["name"]!, Trigger: f["bindings"]!.AsArray().Single(b => ((string)b!["type"]!).EndsWith("Trigger", StringComparison.Ordinal))!))
            .Where(f => (string)f.Trigger["type"]! == "httpTrigger")
            .SelectMany(f => f.Trigger["methods"]!.AsArray().Select(m => $"{f.Name} {((string)m!).ToUpperInvariant()} {(string)f.Trigger["route"]!} {(string)f.Trigger["authLevel"]!}"));

    internal static string Normalize(string route) => RouteConstraint().Replace(route, "{$1}");

    [GeneratedRegex(@"\{(\w+):\w+\}")]
    private static partial Regex RouteConstraint();
}
