using System.Text.Json.Nodes;
using CourseNotification.Email;
using CourseNotification.Settings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CourseNotification.Tests.Email;

/// <summary>The ACS REST client against a loopback server that checks the signature exactly as docs/email.md describes.</summary>
[TestClass]
[TestCategory("unit")]
public sealed class AcsMailTransportTests
{
    private static readonly Guid OperationId = Guid.Parse("6b1f3c2e-1a2b-4c3d-8e9f-0a1b2c3d4e5f");
    private static readonly DateTimeOffset FirstTry = new(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);

    private static OutgoingMail Mail() => new("j.dupont@example.fr", "Jeanne Dupont", "Bienvenue", "<p>Bonjour</p>", "Bonjour", "abc@example.org", "fr", OperationId, FirstTry);

    private static AcsMailTransport Transport(FakeAcsServer server, HttpClient http) => new(
        http,
        Options.Create(new EmailOptions { Transport = EmailTransportKind.Acs, From = "DoNotReply@example.org", Acs = new AcsOptions { ConnectionString = server.ConnectionString, StatusTimeout = TimeSpan.FromSeconds(10) } }),
        TimeProvider.System,
        new ServiceCollection().BuildServiceProvider(),
        NullLogger<AcsMailTransport>.Instance);

    [TestMethod]
    public async Task A_signed_send_is_accepted_and_followed_to_succeeded()
    {
        await using var server = await FakeAcsServer.StartAsync();
        using var http = new HttpClient();

        var id = await Transport(server, http).SendAsync(Mail(), CancellationToken.None);

        Assert.AreEqual(OperationId.ToString(), id);
        var requests = server.Requests.ToList();
        Assert.AreEqual(4, requests.Count, "send, then NotStarted, Running, Succeeded");
        Assert.IsTrue(requests.All(r => r.SignatureValid), "every request, polls included, is signed");
        var send = requests[0];
        Assert.AreEqual(("POST", "/emails:send?api-version=2023-03-31"), (send.Method, send.Path));
        Assert.AreEqual(OperationId.ToString(), send.Headers["Operation-Id"]);
        Assert.AreEqual(OperationId.ToString(), send.Headers["Repeatability-Request-ID"]);
        Assert.AreEqual("Mon, 05 Jan 2026 08:00:00 GMT", send.Headers["Repeatability-First-Sent"]);
        var body = JsonNode.Parse(send.Body)!;
        Assert.AreEqual("DoNotReply@example.org", (string?)body["senderAddress"]);
        Assert.AreEqual("j.dupont@example.fr", (string?)body["recipients"]!["to"]![0]!["address"]);
        Assert.AreEqual(("Bienvenue", "Bonjour", "<p>Bonjour</p>"), ((string?)body["content"]!["subject"], (string?)body["content"]!["plainText"], (string?)body["content"]!["html"]));
        Assert.AreEqual("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", requests[1].Headers["x-ms-content-sha256"], "empty body hash of docs/email.md");
    }

    [TestMethod]
    public async Task A_wrong_key_is_refused_by_the_server()
    {
        await using var server = await FakeAcsServer.StartAsync();
        using var http = new HttpClient();
        var transport = new AcsMailTransport(
            http,
            Options.Create(new EmailOptions { Transport = EmailTransportKind.Acs, Acs = new AcsOptions { ConnectionString = server.ConnectionString.Replace(Convert.ToBase64String(server.Key), Convert.ToBase64String(new byte[32]), StringComparison.Ordinal) } }),
            TimeProvider.System, new ServiceCollection().BuildServiceProvider(), NullLogger<AcsMailTransport>.Instance);

        await Assert.ThrowsExactlyAsync<HttpRequestException>(() => transport.SendAsync(Mail(), CancellationToken.None));
        Assert.IsFalse(server.Requests.Single().SignatureValid);
    }

    [TestMethod]
    public async Task Over_quota_is_a_throttle_with_the_servers_retry_after_and_errors_are_thrown()
    {
        await using var server = await FakeAcsServer.StartAsync();
        using var http = new HttpClient();
        server.Mode = "throttle";
        var throttled = await Assert.ThrowsExactlyAsync<MailThrottledException>(() => Transport(server, http).SendAsync(Mail(), CancellationToken.None));
        Assert.AreEqual(TimeSpan.FromSeconds(7), throttled.RetryAfter);

        server.Mode = "error";
        var error = await Assert.ThrowsExactlyAsync<HttpRequestException>(() => Transport(server, http).SendAsync(Mail(), CancellationToken.None));
        StringAssert.Contains(error.Message, "500");

        server.Mode = "fail";
        var rejected = await Assert.ThrowsExactlyAsync<MailRejectedException>(() => Transport(server, http).SendAsync(Mail(), CancellationToken.None));
        StringAssert.Contains(rejected.Message, "EmailDroppedAllRecipientsSuppressed");
        Assert.IsTrue(server.Requests.All(r => r.SignatureValid));
    }

    [TestMethod]
    public void The_signature_matches_a_hand_computed_example()
    {
        // Independent check of the string-to-sign layout: values computed by hand from docs/email.md.
        var key = Convert.FromBase64String("c2VjcmV0LWtleS1mb3ItdGVzdHM=");
        var headers = AcsSignature.Headers("POST", new Uri("https://contoso.communication.azure.com/emails:send?api-version=2023-03-31"), "{}"u8, key, new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));
        var contentHash = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData("{}"u8));
        var expected = Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(key,
            System.Text.Encoding.ASCII.GetBytes($"POST\n/emails:send?api-version=2023-03-31\nMon, 05 Jan 2026 08:00:00 GMT;contoso.communication.azure.com;{contentHash}")));
        Assert.AreEqual(("x-ms-date", "Mon, 05 Jan 2026 08:00:00 GMT"), headers[0]);
        Assert.AreEqual(("x-ms-content-sha256", contentHash), headers[1]);
        Assert.AreEqual($"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={expected}", headers[2].Value);
    }
}
