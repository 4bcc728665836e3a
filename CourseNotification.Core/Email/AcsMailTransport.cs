using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using CourseNotification.Settings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CourseNotification.Email;

/// <summary>
/// Azure Communication Services Email over its documented REST API (docs/email.md): POST emails:send
/// with an Operation-Id and Repeatability headers derived from the ledger key, then the operation
/// followed to a final status. Requests are HMAC-SHA256 signed (connection string) or carry an Entra ID
/// token (endpoint + managed identity); either is recomputed on every try.
/// </summary>
public sealed class AcsMailTransport(
    HttpClient http, IOptions<EmailOptions> options, TimeProvider clock,
    IServiceProvider services, ILogger<AcsMailTransport> logger) : IMailTransport
{
    public const string ApiVersion = "2023-03-31";
    public const string TokenScope = "https://communication.azure.com//.default";

    private readonly AcsConnection? _connection = AcsConnection.TryParse(options.Value.Acs.ConnectionString, out var c, out _) ? c : null;

    private Uri Endpoint => _connection?.Endpoint ?? new Uri(options.Value.Acs.Endpoint);

    public async Task<string> SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        var email = options.Value;
        var body = JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["senderAddress"] = email.From,
            ["content"] = new JsonObject { ["subject"] = mail.Subject, ["plainText"] = mail.Text, ["html"] = mail.Html },
            ["recipients"] = new JsonObject { ["to"] = new JsonArray(new JsonObject { ["address"] = mail.To, ["displayName"] = mail.ToName }) },
            ["headers"] = Headers(mail),
            ["userEngagementTrackingDisabled"] = true,
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{Endpoint.AbsoluteUri.TrimEnd('/')}/emails:send?api-version={ApiVersion}"))
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        var operationId = mail.OperationId.ToString();
        request.Headers.Add("Operation-Id", operationId);
        request.Headers.Add("Repeatability-Request-ID", operationId);
        request.Headers.Add("Repeatability-First-Sent", mail.FirstTriedAt.UtcDateTime.ToString("r", CultureInfo.InvariantCulture));
        await AuthorizeAsync(request, body, cancellationToken);

        using var response = await http.SendAsync(request, cancellationToken);
        var answer = await response.Content.ReadAsStringAsync(cancellationToken);
        switch (response.StatusCode)
        {
            case HttpStatusCode.Accepted:
                break;
            case HttpStatusCode.TooManyRequests:
                throw new MailThrottledException(RetryAfter(response) ?? TimeSpan.FromMinutes(1));
            case HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity:
                throw new MailRejectedException($"ACS refused the mail ({(int)response.StatusCode}): {ErrorOf(answer)}");
            default:
                throw new HttpRequestException($"ACS answered {(int)response.StatusCode}: {ErrorOf(answer)}", null, response.StatusCode);
        }

        var id = JsonNode.Parse(answer)?["id"]?.GetValue<string>() ?? operationId;
        var status = response.Headers.TryGetValues("Operation-Location", out var locations)
            ? await FollowAsync(new Uri(locations.First()), RetryAfter(response), cancellationToken)
            : "Running";
        if (status is "Running" or "NotStarted")
        {
            logger.LogWarning("ACS operation {OperationId} still {Status} after {Timeout}: taken as accepted", id, status, email.Acs.StatusTimeout);
        }
        return id;
    }

    /// <summary>Polls the operation until Succeeded (returned), Failed or Canceled (thrown), or the status timeout.</summary>
    private async Task<string> FollowAsync(Uri operation, TimeSpan? firstWait, CancellationToken cancellationToken)
    {
        var deadline = clock.GetUtcNow() + options.Value.Acs.StatusTimeout;
        var wait = firstWait ?? TimeSpan.FromSeconds(1);
        while (true)
        {
            await Task.Delay(wait, cancellationToken);
            using var poll = new HttpRequestMessage(HttpMethod.Get, operation);
            await AuthorizeAsync(poll, [], cancellationToken);
            using var response = await http.SendAsync(poll, cancellationToken);
            var answer = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500)
            {
                wait = RetryAfter(response) ?? wait;
            }
            else
            {
                response.EnsureSuccessStatusCode();
                var status = JsonNode.Parse(answer)?["status"]?.GetValue<string>() ?? "Running";
                switch (status)
                {
                    case "Succeeded":
                        return status;
                    case "Failed" or "Canceled":
                        throw new MailRejectedException($"ACS operation {status}: {ErrorOf(answer)}");
                }
                wait = RetryAfter(response) ?? wait;
            }
            if (clock.GetUtcNow() + wait > deadline)
            {
                return "Running";
            }
        }
    }

    private async Task AuthorizeAsync(HttpRequestMessage request, byte[] body, CancellationToken cancellationToken)
    {
        if (_connection is not null)
        {
            foreach (var (name, value) in AcsSignature.Headers(request.Method.Method, request.RequestUri!, body, _connection.Key, clock.GetUtcNow()))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
            return;
        }
        var credential = services.GetRequiredService<TokenCredential>();
        var token = await credential.GetTokenAsync(new TokenRequestContext([TokenScope]), cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
    }

    private static JsonObject Headers(OutgoingMail mail)
    {
        var headers = new JsonObject { ["Content-Language"] = mail.Language };
        foreach (var (name, value) in mail.Headers ?? new Dictionary<string, string>())
        {
            headers[name] = value;
        }
        return headers;
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter?.Delta is { } delta)
        {
            return delta;
        }
        return response.Headers.TryGetValues("retry-after", out var values) && int.TryParse(values.First(), out var seconds) ? TimeSpan.FromSeconds(seconds) : null;
    }

    private static string ErrorOf(string answer)
    {
        try
        {
            var error = JsonNode.Parse(answer)?["error"];
            return error is null ? answer : $"{error["code"]}: {error["message"]}";
        }
        catch (JsonException)
        {
            return answer;
        }
    }
}

/// <summary>ACS HMAC-SHA256 request signing, exactly as docs/email.md describes.</summary>
public static class AcsSignature
{
    public static IReadOnlyList<(string Name, string Value)> Headers(string method, Uri uri, ReadOnlySpan<byte> body, byte[] key, DateTimeOffset now)
    {
        var contentHash = Convert.ToBase64String(SHA256.HashData(body));
        var date = now.UtcDateTime.ToString("r", CultureInfo.InvariantCulture);
        var stringToSign = $"{method}\n{uri.PathAndQuery}\n{date};{uri.Authority};{contentHash}";
        var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(stringToSign)));
        return
        [
            ("x-ms-date", date),
            ("x-ms-content-sha256", contentHash),
            ("Authorization", $"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}"),
        ];
    }
}
