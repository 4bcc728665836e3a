using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;

namespace CourseNotification.Functions.TestHost;

/// <summary>
/// The host's end of the one event stream the worker opens: what the host sends goes through one writer
/// (gRPC allows one write at a time), and each answer of the worker completes the request waiting for it
/// (the init and metadata answers by request id, loads by function id, invocations by invocation id).
/// The worker's logs are kept, so that a test can say what the worker said.
/// </summary>
internal sealed class WorkerChannel
{
    private readonly Channel<StreamingMessage> _outgoing = Channel.CreateUnbounded<StreamingMessage>(new() { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _waiting = new();
    private readonly TaskCompletionSource<StartStream> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WorkerChannel(Action<string> log) => Log = log;

    public Action<string> Log { get; }

    /// <summary>The worker's StartStream, once its stream is open.</summary>
    public Task<StartStream> Started => _started.Task;

    /// <summary>Completes when the worker's stream ends (the worker stopped or closed it).</summary>
    public Task Closed => _closed.Task;

    /// <summary>Serves the worker's stream until it ends (the gRPC service calls this).</summary>
    public async Task ServeAsync(IAsyncStreamReader<StreamingMessage> fromWorker, IServerStreamWriter<StreamingMessage> toWorker, CancellationToken cancellationToken)
    {
        var writing = Task.Run(async () =>
        {
            await foreach (var message in _outgoing.Reader.ReadAllAsync(cancellationToken))
            {
                await toWorker.WriteAsync(message, cancellationToken);
            }
        }, cancellationToken);
        try
        {
            while (await fromWorker.MoveNext(cancellationToken))
            {
                Receive(fromWorker.Current);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or Grpc.Core.RpcException)
        {
            // The worker went away: every waiting request fails below.
        }
        finally
        {
            _closed.TrySetResult();
            foreach (var waiting in _waiting.Values)
            {
                waiting.TrySetException(new InvalidOperationException("The worker closed its stream before answering."));
            }
        }
        _outgoing.Writer.TryComplete();
        await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Sends a request and waits for the worker's answer with the given key.</summary>
    public async Task<StreamingMessage> RequestAsync(string key, StreamingMessage request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_waiting.TryAdd(key, answer))
        {
            throw new InvalidOperationException($"A request with key {key} is already waiting.");
        }
        try
        {
            if (_closed.Task.IsCompleted)
            {
                throw new InvalidOperationException("The worker's stream is closed.");
            }
            await _outgoing.Writer.WriteAsync(request, cancellationToken);
            return await answer.Task.WaitAsync(timeout, cancellationToken);
        }
        finally
        {
            _waiting.TryRemove(key, out _);
        }
    }

    /// <summary>Sends a message that gets no answer (e.g. WorkerTerminate).</summary>
    public bool TrySend(StreamingMessage message) => _outgoing.Writer.TryWrite(message);

    private void Receive(StreamingMessage message)
    {
        var key = message.ContentCase switch
        {
            StreamingMessage.ContentOneofCase.StartStream => Start(message.StartStream),
            StreamingMessage.ContentOneofCase.RpcLog => Logged(message.RpcLog),
            StreamingMessage.ContentOneofCase.WorkerInitResponse => message.RequestId,
            StreamingMessage.ContentOneofCase.FunctionMetadataResponse => message.RequestId,
            StreamingMessage.ContentOneofCase.FunctionLoadResponse => message.FunctionLoadResponse.FunctionId,
            StreamingMessage.ContentOneofCase.InvocationResponse => message.InvocationResponse.InvocationId,
            _ => message.RequestId,
        };
        if (key is not null && _waiting.TryGetValue(key, out var waiting))
        {
            waiting.TrySetResult(message);
        }
    }

    private string? Start(StartStream start)
    {
        _started.TrySetResult(start);
        return null;
    }

    private string? Logged(RpcLog log)
    {
        Log($"[{log.Level}] {log.Category}: {log.Message}{(log.Exception is { } e ? $" ({e.Message})" : "")}");
        return null;
    }
}

/// <summary>The gRPC service the worker connects to (<c>Functions__Worker__HostEndpoint</c>).</summary>
internal sealed class FunctionRpcService(WorkerChannel channel) : FunctionRpc.FunctionRpcBase
{
    public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context) =>
        channel.ServeAsync(requestStream, responseStream, context.CancellationToken);
}
