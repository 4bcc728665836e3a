using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace CourseNotification.Http;

/// <summary>
/// What each route takes, as <c>openapi.json</c> declares it (a test keeps that description in step with
/// both hosts): whether it is open (<c>"security": []</c>, the learners' links and the description) or
/// needs the key, and the content types its body may have (none declared: it takes no body).
/// </summary>
public sealed class RouteRules
{
    private readonly List<RouteRule> _rules;

    private RouteRules(List<RouteRule> rules) => _rules = rules;

    /// <summary>The rules of the embedded description.</summary>
    public static RouteRules Described { get; } = Load();

    public IReadOnlyList<RouteRule> All => _rules;

    /// <summary>The route a request is for, or null when none is described (such a request is treated as needing the key).</summary>
    public RouteRule? Find(string method, PathString path)
    {
        var lookup = HttpMethods.IsHead(method) ? HttpMethods.Get : method;
        var segments = (path.Value ?? "/").Trim('/').Split('/');
        return _rules.FirstOrDefault(r => string.Equals(r.Method, lookup, StringComparison.OrdinalIgnoreCase) && r.Matches(segments));
    }

    private static RouteRules Load()
    {
        using var stream = typeof(RouteRules).Assembly.GetManifestResourceStream("CourseNotification.Http.openapi.json")!;
        var document = JsonNode.Parse(stream)!;
        var rules = new List<RouteRule>();
        foreach (var (path, operations) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in operations!.AsObject())
            {
                var open = operation!["security"] is JsonArray { Count: 0 };
                var accepts = operation["requestBody"]?["content"] is JsonObject content ? content.Select(c => c.Key).ToArray() : [];
                rules.Add(new RouteRule(method.ToUpperInvariant(), path, open, accepts));
            }
        }
        return new RouteRules(rules);
    }
}

/// <summary>One operation of the description: method, path template, open or keyed, the body's content types.</summary>
public sealed record RouteRule(string Method, string Template, bool Open, IReadOnlyList<string> Accepts)
{
    private readonly string[] _segments = Template.Trim('/').Split('/');

    internal bool Matches(string[] segments)
    {
        if (segments.Length != _segments.Length)
        {
            return false;
        }
        for (var i = 0; i < segments.Length; i++)
        {
            var parameter = _segments[i].StartsWith('{');
            if (parameter ? segments[i].Length == 0 : !string.Equals(segments[i], _segments[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }
        return true;
    }
}
