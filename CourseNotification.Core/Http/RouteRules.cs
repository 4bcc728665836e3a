using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace CourseNotification.Http;

/// <summary>
/// What each route takes, as <c>openapi.json</c> declares it (a test keeps that description in step with
/// both hosts): whether it is open (<c>"security": []</c>, the learners' links and the description, or
/// only <c>moodleSignature</c>: the route checks Moodle's signature itself) or needs the key, what a course
/// session must allow to stand in for the key (<c>courseSession</c> and its scope), and the content types
/// its body may have (none declared: it takes no body).
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
                var security = operation!["security"] as JsonArray;
                var open = security is not null && security.All(s => s is JsonObject requirement && requirement.Count == 1 && requirement.ContainsKey("moodleSignature"));
                var permission = security?.OfType<JsonObject>().Select(s => s["courseSession"]).OfType<JsonArray>().Select(scopes => (string?)scopes.FirstOrDefault()).FirstOrDefault();
                var accepts = operation["requestBody"]?["content"] is JsonObject content ? content.Select(c => c.Key).ToArray() : [];
                rules.Add(new RouteRule(method.ToUpperInvariant(), path, open, accepts) { CoursePermission = permission });
            }
        }
        return new RouteRules(rules);
    }
}

/// <summary>One operation of the description: method, path template, open or keyed, the body's content types.</summary>
public sealed record RouteRule(string Method, string Template, bool Open, IReadOnlyList<string> Accepts)
{
    private readonly string[] _segments = Template.Trim('/').Split('/');

    /// <summary>What a course session must allow to open this route instead of the key (<see cref="CoursePermissions"/>); null: no session opens it.</summary>
    public string? CoursePermission { get; init; }

    /// <summary>The course a request on this route is about: the segment after <c>courses</c> (null when there is none).</summary>
    public long? CourseIdOf(PathString path)
    {
        var at = Array.IndexOf(_segments, "courses") + 1;
        var segments = (path.Value ?? "/").Trim('/').Split('/');
        return at > 0 && at < segments.Length && segments.Length == _segments.Length
            && long.TryParse(segments[at], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null;
    }

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
