using CourseNotification.Cli.Local;
using Microsoft.Playwright;

namespace CourseNotification.Tests.Browser;

/// <summary>
/// axe-core (from the project's node_modules; the engine behind browsers' accessibility audits) run on a
/// page: the WCAG 2.0 and 2.1 level A and AA rules, each violation with where it is. The page's context
/// must let a test's script in (<see cref="Chromium.NewPageAsync"/> with <c>bypassCsp</c>).
/// </summary>
internal static class Axe
{
    private static readonly string ScriptPath = Path.Combine(NodeService.FindNodeModules(), "axe-core", "axe.min.js");

    /// <summary>The page's violations, one line each: rule, impact, the elements (empty: none).</summary>
    public static async Task<IReadOnlyList<string>> ViolationsAsync(IPage page)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'"))
        {
            await page.AddScriptTagAsync(new() { Path = ScriptPath });
        }
        return await page.EvaluateAsync<string[]>("""
            async () => {
              const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
              return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);
            }
            """);
    }
}
