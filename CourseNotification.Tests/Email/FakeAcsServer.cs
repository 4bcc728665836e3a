using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace CourseNotification.Tests.Email;

/// <summary>
/// A loopback stand-in for ACS Email written from its documented REST contract (docs/email.md): it checks
/// every request's HMAC-SHA256 signature independently of the client's code, and answers the way the
/// service does (202 + Operation-Location, then NotStarted/Running/Succeeded; 429 with Retry-After; 500).
/// </summary>
internal sealed class FakeAcsServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _polls = new();

    private FakeAcsServer(WebApplication app, byte[] key)
    {
        _app = app;
        Key = key;
    }

    public byte[] Key { get; }

    /// <summary>What the next sends answer: "ok", "throttle", "error", "fail", or "chaos" (a share of 429s and 500s at random).</summary>
    public string Mode { get; set; } = "ok";

    /// <summary>In "chaos" mode, the share of sends answered 429 and the share answered 500.</summary>
    public double ChaosRate { get; set; } = 0.1;

    /// <summary>Mails accepted, by their Repeatability-Request-ID, with their recipient: a repeated id is answered as before and not sent again, as ACS does.</summary>
    public ConcurrentDictionary<string, string> Accepted { get; } = new();

    /// <summary>Requests that repeated an id already accepted (de-duplicated, not sent).</summary>
    public int Repeats => _repeats;

    private int _repeats, _throttled, _errors;

    /// <summary>Sends answered 429 and 500.</summary>
    public (int Throttled, int Errors) Refusals => (_throttled, _errors);

    public ConcurrentQueue<(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body, bool SignatureValid)> Requests { get; } = new();

    public string ConnectionString => $"endpoint={_app.Urls.First()}/;accesskey={Convert.ToBase64String(Key)}";

    public static async Task<FakeAcsServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeAcsServer(app, RandomNumberGenerator.GetBytes(32));
        app.MapPost("/emails:send", (HttpRequest request) => server.SendAsync(request.HttpContext));
        app.MapGet("/emails/operations/{id}", (HttpContext context, string id) => server.StatusAsync(context, id));
        await app.StartAsync();
        return server;
    }

    private async Task<IResult> SendAsync(HttpContext context)
    {
        var (body, valid) = await ReadAndVerifyAsync(context.Request);
        if (!valid)
        {
            return Results.Json(new { error = new { code = "Denied", message = "Denied by the resource provider." } }, statusCode: 401);
        }
        var mode = Mode == "chaos" ? (Random.Shared.NextDouble() switch { var r when r < ChaosRate => "throttle-short", var r when r < 2 * ChaosRate => "error", _ => "ok" }) : Mode;
        var repeatability = context.Request.Headers["Repeatability-Request-ID"].ToString();
        if (repeatability.Length > 0 && Accepted.ContainsKey(repeatability))
        {
            Interlocked.Increment(ref _repeats);
            mode = "ok";
        }
        switch (mode)
        {
            case "throttle-short":
                Interlocked.Increment(ref _throttled);
                context.Response.Headers.RetryAfter = "1";
                return Results.Json(new { error = new { code = "TooManyRequests", message = "Over quota" } }, statusCode: 429);
            case "throttle":
                context.Response.Headers.RetryAfter = "7";
                return Results.Json(new { error = new { code = "TooManyRequests", message = "Over quota" } }, statusCode: 429);
            case "error":
                Interlocked.Increment(ref _errors);
                return Results.Json(new { error = new { code = "InternalError", message = "Boom" } }, statusCode: 500);
        }
        var id = context.Request.Headers["Operation-Id"].ToString();
        if (repeatability.Length > 0)
        {
            Accepted.TryAdd(repeatability, JsonNode.Parse(body)?["recipients"]?["to"]?[0]?["address"]?.GetValue<string>() ?? "");
        }
        _polls[id] = 0;
        context.Response.Headers["Operation-Location"] = $"{_app.Urls.First()}/emails/operations/{id}?api-version=2023-03-31";
        context.Response.Headers.RetryAfter = "0";
        return Results.Json(new { id, status = "Running" }, statusCode: 202);
    }

    private async Task<IResult> StatusAsync(HttpContext context, string id)
    {
        var (_, valid) = await ReadAndVerifyAsync(context.Request);
        if (!valid)
        {
            return Results.StatusCode(401);
        }
        var polls = _polls.AddOrUpdate(id, 1, (_, n) => n + 1);
        context.Response.Headers.RetryAfter = "0";
        return polls switch
        {
            1 => Results.Json(new { id, status = "NotStarted" }),
            2 => Results.Json(new { id, status = "Running" }),
            _ when Mode == "fail" => Results.Json(new { id, status = "Failed", error = new { code = "EmailDroppedAllRecipientsSuppressed", message = "Recipients suppressed" } }),
            _ => Results.Json(new { id, status = "Succeeded" }),
        };
    }

    /// <summary>Recomputes the signature from what arrived, as the service does.</summary>
    private async Task<(string Body, bool Valid)> ReadAndVerifyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var bytes = buffer.ToArray();
        var contentHash = Convert.ToBase64String(SHA256.HashData(bytes));
        var date = request.Headers["x-ms-date"].ToString();
        var stringToSign = $"{request.Method}\n{request.Path}{request.QueryString}\n{date};{request.Host};{contentHash}";
        var expected = $"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={Convert.ToBase64String(HMACSHA256.HashData(Key, Encoding.ASCII.GetBytes(stringToSign)))}";
        var valid = request.Headers["x-ms-content-sha256"] == contentHash
            && request.Headers.Authorization == expected
            && DateTimeOffset.TryParseExact(date, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _);
        var body = Encoding.UTF8.GetString(bytes);
        Requests.Enqueue((request.Method, request.Path + request.QueryString, request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body, valid));
        return (body, valid);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
