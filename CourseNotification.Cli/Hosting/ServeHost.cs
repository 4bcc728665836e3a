using CourseNotification.Http;
using CourseNotification.Settings;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Cli.Hosting;

/// <summary>
/// The local host: the same Core services as the Function App, the HTTP routes on Kestrel, the hourly
/// scan and the queue workers. <c>serve</c>, the demo and the end-to-end tests all run this.
/// </summary>
public static class ServeHost
{
    /// <param name="logs">Another place logs go besides the console (tests read what the service logs).</param>
    /// <param name="services">More services, before the Core ones (tests register Azure's storage limits as a <c>StoragePipelinePolicy</c>).</param>
    public static WebApplication Build(
        IConfiguration configuration, TimeProvider clock, string urls, bool runWorkers = true, bool quietLogs = false, ILoggerProvider? logs = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddConfiguration(configuration);
        builder.WebHost.UseUrls(urls);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("Microsoft.Hosting", LogLevel.Warning).AddFilter("Azure", LogLevel.Warning);
        if (quietLogs)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        }
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }
        builder.Services.AddSingleton(clock);
        services?.Invoke(builder.Services);
        InProcessServices.Value?.Invoke(builder.Services);
        builder.Services.AddCourseNotification(builder.Configuration);
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton<Pipeline>();
        if (runWorkers)
        {
            // Serve__HourlyScan=false: no scan at the top of each hour, only those asked for (POST /api/scan, cn scan),
            // so what is sent follows the caller's steps alone (a walk-through, a test against a real Moodle on the real clock).
            if (builder.Configuration.GetValue("Serve:HourlyScan", true))
            {
                builder.Services.AddHostedService<HourlyScanWorker>();
            }
            builder.Services.AddHostedService<QueueWorker>();
        }

        var guardOptions = GuardOptions(builder.Configuration, urls);
        var app = builder.Build();
        var guard = new RequestGuard(guardOptions, RouteRules.Described, app.Services.GetRequiredService<CourseAccess>());
        app.Use((context, next) => guard.InvokeAsync(context, () => next(context)));
        MapRoutes(app);
        return app;
    }

    /// <summary>The setting holding the key of the keyed routes (<c>?code=</c> or <c>x-functions-key</c>).</summary>
    public const string KeySetting = "Serve__Key";

    /// <summary>The key given in the settings, or null.</summary>
    public static string? KeyOf(IConfiguration configuration) => configuration["Serve:Key"] is { Length: > 0 } key ? key : null;

    /// <summary>
    /// What the guard in front of the routes checks: the key (<see cref="KeySetting"/>), required as soon
    /// as a listening address is not loopback and optional on loopback; the host names answered (those
    /// listened on, the public URL's, loopback ones); the public URL as a trusted origin.
    /// </summary>
    internal static RequestGuardOptions GuardOptions(IConfiguration configuration, string urls)
    {
        if (KeyProblem(configuration, urls) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }
        var key = KeyOf(configuration);
        var listened = Listened(urls);
        var hosts = listened.Select(l => l.Host).Where(h => h is not ("*" or "+" or "0.0.0.0" or "[::]")).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var platform = new PlatformOptions();
        var publicUrl = configuration["Platform:PublicUrl"] is { Length: > 0 } configured ? configured : platform.PublicUrl;
        var trusted = new List<Uri>();
        if (Uri.TryCreate(publicUrl, UriKind.Absolute, out var uri))
        {
            hosts.Add(uri.Host);
            trusted.Add(uri);
        }
        return new RequestGuardOptions
        {
            Key = key, AllowedHosts = hosts, TrustedOrigins = trusted,
            DefaultLanguage = configuration["Platform:DefaultLanguage"] is { Length: > 0 } lang ? lang : platform.DefaultLanguage,
            SiteName = configuration["Platform:SiteName"] is { Length: > 0 } site ? site : platform.SiteName,
        };
    }

    /// <summary>Why the key setting does not fit where serve listens (one line naming it), or null.</summary>
    public static string? KeyProblem(IConfiguration configuration, string urls)
    {
        var key = KeyOf(configuration);
        if (key is null)
        {
            var beyond = Listened(urls).FirstOrDefault(l => !RequestGuard.IsLoopback(l.Host));
            return beyond.Url is null ? null
                : $"{KeySetting} is required to listen on {beyond.Url} (not loopback): set it to a long random key, which the administrative routes then need (?code= or x-functions-key).";
        }
        return key.Length < 16 ? $"{KeySetting} must be at least 16 characters long." : null;
    }

    private static List<(string Url, string Host)> Listened(string urls) =>
        [.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => (u, ListenHost(u)))];

    /// <summary>The host of a Kestrel URL (<c>http://*:7071</c>, <c>http://[::1]:0</c>, <c>https://localhost</c>).</summary>
    private static string ListenHost(string url)
    {
        var rest = url[(url.IndexOf("://", StringComparison.Ordinal) is var scheme and >= 0 ? scheme + 3 : 0)..];
        rest = rest.Split('/')[0];
        if (rest.StartsWith('['))
        {
            return rest[..(rest.IndexOf(']', StringComparison.Ordinal) + 1)];
        }
        return rest.Split(':')[0];
    }

    /// <summary>The routes of the Functions HTTP triggers, from the one table both hosts are held to (<see cref="RouteTable"/>).</summary>
    private static void MapRoutes(WebApplication app)
    {
        foreach (var route in RouteTable.All)
        {
            app.MapMethods("/" + route.Template, [route.Method], route.Handler).WithName(route.Name);
        }
    }
}
