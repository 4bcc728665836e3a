using Microsoft.Playwright;

namespace CourseNotification.Tests.Browser;

/// <summary>
/// Debian's Chromium (installed by tools/test-dependencies.sh), headless, driven by Playwright: started
/// once per test run, a fresh context per test. Screenshots go to TestResults/screenshots.
/// </summary>
internal static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly Lazy<Task<(IPlaywright, IBrowser)>> Shared = new(LaunchAsync);

    /// <summary>
    /// A new page in its own context, of the given width (a phone: 360), with or without JavaScript;
    /// <paramref name="bypassCsp"/> lets a test add its own script to our pages (the accessibility checker).
    /// </summary>
    public static async Task<IPage> NewPageAsync(int width = 1024, int height = 800, string locale = "fr-FR", bool javaScript = true, bool bypassCsp = false)
    {
        var (_, browser) = await Shared.Value;
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = locale,
            JavaScriptEnabled = javaScript,
            BypassCSP = bypassCsp,
        });
        return await context.NewPageAsync();
    }

    /// <summary>Saves a full-page screenshot as a test artefact and returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, TestContext context, string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.GetFullPath(Path.Combine(folder, name + ".png"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        context.AddResultFile(path);
        return path;
    }

    private static async Task<(IPlaywright, IBrowser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"No Chromium at {ExecutablePath}: run tools/test-dependencies.sh (the README's test command does).");
        }
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return (playwright, browser);
    }

    /// <summary>Closes the shared browser at the end of the run.</summary>
    public static async Task CloseAsync()
    {
        if (Shared.IsValueCreated)
        {
            var (playwright, browser) = await Shared.Value;
            await browser.CloseAsync();
            playwright.Dispose();
        }
    }
}
