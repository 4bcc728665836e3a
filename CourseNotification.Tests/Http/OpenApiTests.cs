using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CourseNotification.Cli.Hosting;
using CourseNotification.Tests.Integration;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Tests.Http;

/// <summary>The OpenAPI description served by the app names exactly the routes both hosts map.</summary>
[TestClass]
[TestCategory("storage")]
public sealed partial class OpenApiTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task The_description_the_local_host_and_the_functions_app_have_the_same_routes()
    {
        await using var host = await LocalHost.StartAsync(null, workers: false);
        var (serve, http) = (host.App, host.Http);

        var document = JsonNode.Parse(await http.GetStringAsync("api/openapi.json", TestContext.CancellationToken))!;
        Assert.AreEqual("3.0.3", (string?)document["openapi"]);
        var described = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(method => $"{method.Key.ToUpperInvariant()} {path.Key}"))
            .ToHashSet();

        var local = serve.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} {Normalize("/" + e.RoutePattern.RawText!.TrimStart('/'))}"))
            .ToHashSet();

        var functions = FunctionRoute().Matches(File.ReadAllText(FunctionsSource()))
            .Select(m => $"{m.Groups[1].Value.ToUpperInvariant()} {Normalize("/" + m.Groups[2].Value)}")
            .ToHashSet();

        CollectionAssert.AreEquivalent(described.Order().ToArray(), local.Order().ToArray(), "the Cli's serve");
        CollectionAssert.AreEquivalent(described.Order().ToArray(), functions.Order().ToArray(), "the Functions app's HTTP triggers");
    }

    private static string Normalize(string route) => RouteConstraint().Replace(route, "{$1}");

    private static string FunctionsSource([CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "CourseNotification.Functions", "HttpTriggers.cs");

    [GeneratedRegex(@"HttpTrigger\(AuthorizationLevel\.\w+, ""(\w+)"", Route = ""([^""]+)""\)")]
    private static partial Regex FunctionRoute();

    [GeneratedRegex(@"\{(\w+):\w+\}")]
    private static partial Regex RouteConstraint();
}
