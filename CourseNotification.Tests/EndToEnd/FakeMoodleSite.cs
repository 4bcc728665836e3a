using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace CourseNotification.Tests.EndToEnd;

/// <summary>A loopback stand-in for the Moodle site: answers the course page, so a link in a mail can be followed for real.</summary>
internal sealed class FakeMoodleSite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeMoodleSite(WebApplication app) => _app = app;

    public Uri Url => new(_app.Urls.First());

    public static async Task<FakeMoodleSite> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/course/view.php", (HttpRequest r) => Results.Content($"<html><title>Course {r.Query["id"]}</title></html>", "text/html"));
        await app.StartAsync();
        return new FakeMoodleSite(app);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
