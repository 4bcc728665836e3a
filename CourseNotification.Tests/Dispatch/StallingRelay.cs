using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CourseNotification.Tests.Dispatch;

/// <summary>
/// A loopback SMTP relay speaking just enough SMTP for MailKit (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT),
/// any number of connections at once. It takes the whole of the first mail, says so
/// (<see cref="Holding"/>), and holds its final "250" until <see cref="Release"/>: a mail in the middle of
/// being handed over. Every later mail is answered at once. <see cref="Delivered"/> counts the mails whose
/// body it received.
/// </summary>
internal sealed class StallingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _connections = [];
    private Task _accepting = Task.CompletedTask;
    private int _delivered;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Completes when the first mail's body is in and its answer is being held.</summary>
    public Task Holding => _holding.Task;

    /// <summary>Mails whose whole body the relay received (each one a mail a real relay would deliver once it answers).</summary>
    public int Delivered => Volatile.Read(ref _delivered);

    public static StallingRelay Start()
    {
        var relay = new StallingRelay();
        relay._listener.Start();
        relay._accepting = relay.AcceptAsync();
        return relay;
    }

    /// <summary>Lets the held "250" go out.</summary>
    public void Release() => _release.TrySetResult();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            lock (_connections)
            {
                _connections.Add(ServeAsync(client));
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        await using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 stalling.relay ESMTP");
        while (await reader.ReadLineAsync(_stop.Token) is { } command)
        {
            var verb = command.Split(' ', ':')[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO":
                    await writer.WriteLineAsync("250-stalling.relay");
                    await writer.WriteLineAsync("250 8BITMIME");
                    break;
                case "HELO" or "MAIL" or "RCPT" or "RSET" or "NOOP":
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "DATA":
                    await writer.WriteLineAsync("354 end with <CRLF>.<CRLF>");
                    while (await reader.ReadLineAsync(_stop.Token) is { } line && line != ".")
                    {
                    }
                    if (Interlocked.Increment(ref _delivered) == 1)
                    {
                        _holding.TrySetResult();
                        await _release.Task.WaitAsync(_stop.Token);
                    }
                    await writer.WriteLineAsync("250 2.0.0 queued");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 bye");
                    return;
                default:
                    await writer.WriteLineAsync("502 command not implemented");
                    break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Task[] all;
        lock (_connections)
        {
            all = [_accepting, .. _connections];
        }
        try
        {
            await Task.WhenAll(all);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // Stopped.
        }
        _stop.Dispose();
    }
}
