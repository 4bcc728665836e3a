using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace CourseNotification.Tests.Reliability;

/// <summary>
/// Storage faults through the Azure SDK's own pipeline, at a set rate while switched on: a 503 before the
/// call reaches storage, a network failure before it, or a 503 after storage applied the call (the nasty
/// one: it happened, the caller does not know). The SDK's retries see each as a
/// transient failure, as they would see Azure's.
/// </summary>
internal sealed class StorageFaults(double rate, int seed) : HttpPipelinePolicy
{
    private readonly Random _random = new(seed);
    private int _injected;

    public bool On { get; set; }

    public int Injected => _injected;

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        throw new NotSupportedException("The storage clients are used asynchronously.");

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        double roll;
        lock (_random)
        {
            roll = _random.NextDouble();
        }
        if (!On || roll >= rate)
        {
            await ProcessNextAsync(message, pipeline);
            return;
        }
        Interlocked.Increment(ref _injected);
        switch (roll / rate)
        {
            case < 0.4:
                message.Response = new ServiceUnavailable(message.Request.ClientRequestId);
                return;
            case < 0.7:
                throw new IOException("Chaos: the connection to storage failed before the call.");
            default:
                // Applied by storage, but the caller is told it failed.
                await ProcessNextAsync(message, pipeline);
                message.Response.Dispose();
                message.Response = new ServiceUnavailable(message.Request.ClientRequestId);
                return;
        }
    }

    /// <summary>A 503 as storage answers it when busy.</summary>
    private sealed class ServiceUnavailable(string clientRequestId) : Response
    {
        public override int Status => 503;
        public override string ReasonPhrase => "Service Unavailable";
        public override Stream? ContentStream { get; set; } = new MemoryStream();
        public override string ClientRequestId { get; set; } = clientRequestId;
        public override void Dispose() => ContentStream?.Dispose();
        protected override bool ContainsHeader(string name) => false;
        protected override IEnumerable<HttpHeader> EnumerateHeaders() => [];
        protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value) => (value = null) is not null;
        protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values) => (values = null) is not null;
    }
}

/// <summary>
/// A TCP proxy in front of maildev that, while switched on, refuses a share of new connections (closes
/// them at once), drops another share during the SMTP greeting, and cuts a share of established ones as
/// a new mail begins. Cuts happen before a mail is handed over, so a mail is either delivered and
/// acknowledged, or not delivered (a cut during DATA is ambiguous in SMTP itself: see the README).
/// </summary>
internal sealed class FlakySmtpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly double _refuse, _drop;
    private readonly Random _random = new(7);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _refused, _dropped;

    public FlakySmtpProxy(int targetPort, double refuse, double drop)
    {
        (_target, _refuse, _drop) = (targetPort, refuse, drop);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public bool On { get; set; }

    public int Refused => _refused;

    public int Dropped => _dropped;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            double roll;
            int limit;
            lock (_random)
            {
                (roll, limit) = (_random.NextDouble(), _random.Next(1, 40));
            }
            if (On && roll < _refuse)
            {
                Interlocked.Increment(ref _refused);
                client.Dispose();
                continue;
            }
            _ = PipeAsync(client, On && roll < _refuse + _drop ? limit : int.MaxValue);
        }
    }

    /// <summary>Forwards both ways; with a limit, cuts the connection once that many bytes came from the server (the greeting).</summary>
    private async Task PipeAsync(TcpClient client, int limit)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
                var (up, down) = (client.GetStream(), server.GetStream());
                var toServer = CommandsAsync(up, down);
                var toClient = CopyAsync(down, up, limit);
                await Task.WhenAny(toServer, toClient);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                // A connection ends: that is the point.
            }
        }
    }

    /// <summary>
    /// Forwards the client's commands; while on, cuts a share of connections as a new mail begins (MAIL FROM):
    /// the mail before was acknowledged, this one not yet handed over, so the cut is never ambiguous.
    /// </summary>
    private async Task CommandsAsync(Stream from, Stream to)
    {
        var buffer = new byte[8192];
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            if (On && read >= 9 && System.Text.Encoding.ASCII.GetString(buffer, 0, 9).Equals("MAIL FROM", StringComparison.OrdinalIgnoreCase))
            {
                double roll;
                lock (_random)
                {
                    roll = _random.NextDouble();
                }
                if (roll < _drop)
                {
                    Interlocked.Increment(ref _dropped);
                    return;
                }
            }
            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }

    private async Task CopyAsync(Stream from, Stream to, int limit)
    {
        var buffer = new byte[8192];
        var sent = 0;
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            if (sent + read > limit)
            {
                await to.WriteAsync(buffer.AsMemory(0, limit - sent), _stop.Token);
                Interlocked.Increment(ref _dropped);
                return;
            }
            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            sent += read;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
