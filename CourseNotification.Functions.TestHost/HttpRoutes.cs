using System.Globalization;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;

namespace CourseNotification.Functions.TestHost;

/// <summary>
/// The host's part of HTTP routing: which function a request is for (its trigger's methods and route,
/// with host.json's empty <c>routePrefix</c>), and the route values it sends as trigger metadata.
/// Literal routes win over parameters, and the <c>int</c>/<c>long</c> constraints are honoured.
/// </summary>
internal static class HttpRoutes
{
    public static (LoadedFunction Function, Dictionary<string, string> Values)? Match(IEnumerable<LoadedFunction> functions, string method, string path)
    {
        var candidates = functions
            .Select(f => (Function: f, Binding: f.Bindings.FirstOrDefault(b => b.Type == "httpTrigger")))
            .Where(c => c.Binding is not null && Methods(c.Binding).Contains(method, StringComparer.OrdinalIgnoreCase))
            .Select(c => (c.Function, Pattern: RoutePatternFactory.Parse((string?)c.Binding!.Raw["route"] ?? c.Function.Name)))
            .OrderBy(c => c.Pattern.Parameters.Count);
        foreach (var (function, pattern) in candidates)
        {
            var values = new RouteValueDictionary();
            if (!new TemplateMatcher(TemplateParser.Parse(pattern.RawText!), []).TryMatch(path, values))
            {
                continue;
            }
            if (pattern.Parameters.All(p => Satisfies(p, values[p.Name]?.ToString())))
            {
                return (function, values.ToDictionary(v => v.Key, v => v.Value?.ToString() ?? "", StringComparer.Ordinal));
            }
        }
        return null;
    }

    private static IEnumerable<string> Methods(LoadedBinding binding) =>
        binding.Raw["methods"]?.AsArray().Select(m => (string)m!) ?? ["get", "post", "put", "delete", "patch", "head", "options"];

    private static bool Satisfies(RoutePatternParameterPart parameter, string? value) =>
        parameter.ParameterPolicies.All(policy => policy.Content switch
        {
            "long" => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            "int" => int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            _ => true,
        });
}
