using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CourseNotification.Dispatch;
using CourseNotification.Email;
using CourseNotification.Scanning;
using CourseNotification.Signals;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;
using Microsoft.Extensions.Time.Testing;

namespace CourseNotification.Tests.Email;

/// <summary>
/// An SMTP relay's refusals classified like ACS's: a 5xx is final (the send fails at once with the
/// relay's reason, never retried nor reopened by a redrive), a 4xx asks to come back later (deferred).
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed class SmtpRefusalTests
{
    private static readonly DateTimeOffset Opening = new(2032, 9, 6, 0, 0, 0, TimeSpan.FromHours(2));

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("550 5.1.1 No such user", DispatchOutcome.Failed)]
    [DataRow("451 4.3.0 Try again later", DispatchOutcome.Deferred)]
    public async Task A_refusal_of_the_recipient_is_final_or_deferred_by_its_code(string answer, DispatchOutcome expected)
    {
        await using var relay = RefusingRelay.Start(answer);
        var clock = new FakeTimeProvider(Opening.AddHours(10));
        await using var core = await CoreServices.StartAsync(clock,
            ("Email:Transport", "Smtp"), ("Email:Smtp:Host", "127.0.0.1"), ("Email:Smtp:Port", relay.Port.ToString(CultureInfo.InvariantCulture)), ("Email:Smtp:Security", "None"));
        var (course, learner) = (TestIds.Next(), TestIds.Next());
        await core.Get<CourseNotification.Enrolments.SnapshotIngest>().UpsertAsync(System.Text.Json.Nodes.JsonNode.Parse($$"""
            {"courses":[{"id":{{course}},"fullName":"Relais","startDate":"{{Opening:O}}"}],
             "learners":[{"id":{{learner}},"email":"refused{{learner}}@example.org","lang":"fr"}],
             "enrolments":[{"id":{{learner}},"courseId":{{course}},"learnerId":{{learner}},"start":{{Opening.ToUnixTimeSeconds()}}}]}
            """)!.AsObject(), CancellationToken.None);
        var message = new NotificationMessage(course, learner, SignalKeys.Welcome, DateOnly.FromDateTime(Opening.Date), 0, clock.GetUtcNow());

        Assert.AreEqual(expected, await core.Get<NotificationDispatcher>().HandleAsync(message, 1, CancellationToken.None), "on the first try, without an exception");

        var row = (await core.Get<LedgerStore>().ReadLearnerAsync(course, learner, CancellationToken.None)).Single();
        if (expected == DispatchOutcome.Failed)
        {
            Assert.AreEqual((SendState.Failed, false), (row.State, row.Retryable));
            StringAssert.Contains(row.Reason, "550", "the relay's reason is kept for the administrator");
        }
        else
        {
            Assert.AreEqual(SendState.Claimed, row.State, "released, waiting for its next try");
        }
    }

    /// <summary>A loopback SMTP server that accepts the connection and the sender, then answers the recipient with a fixed refusal.</summary>
    private sealed class RefusingRelay : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private Task _serving = Task.CompletedTask;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static RefusingRelay Start(string recipientAnswer)
        {
            var relay = new RefusingRelay();
            relay._listener.Start();
            relay._serving = relay.ServeAsync(recipientAnswer);
            return relay;
        }

        private async Task ServeAsync(string recipientAnswer)
        {
            while (!_stop.IsCancellationRequested)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                using var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII);
                await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync("220 relay.example ESMTP");
                while (await reader.ReadLineAsync(_stop.Token) is { } command)
                {
                    var verb = command.Split(' ', ':')[0].ToUpperInvariant();
                    await writer.WriteLineAsync(verb switch
                    {
                        "EHLO" or "HELO" => "250 relay.example",
                        "RCPT" => recipientAnswer,
                        "QUIT" => "221 bye",
                        _ => "250 OK",
                    });
                    if (verb == "QUIT")
                    {
                        break;
                    }
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _serving;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException)
            {
                // Stopped.
            }
            _stop.Dispose();
        }
    }
}
