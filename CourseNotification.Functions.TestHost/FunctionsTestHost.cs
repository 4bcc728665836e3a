using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Functions.TestHost;

/// <summary>
/// What the Azure Functions host does for an isolated .NET worker, played over the host's own gRPC
/// protocol: it serves <c>FunctionRpc</c> on loopback (HTTP/2 cleartext), starts the built worker as a
/// child process with the environment the host gives it, does the handshake (StartStream, WorkerInit,
/// FunctionsMetadata, one FunctionLoad per function) and then invokes functions: HTTP triggers the way
/// the ASP.NET Core integration expects (an InvocationRequest plus the real request sent to the worker's
/// <c>HttpUri</c> with <c>x-ms-invocation-id</c>), queue triggers from real Azure Storage queues, timers.
/// What it does not play: the host's own schedules, polling intervals, keys and scale-out.
/// </summary>
public sealed class FunctionsTestHost : IAsyncDisposable
{
    /// <summary>The header the ASP.NET Core integration pairs a forwarded request with its invocation by.</summary>
    public const string InvocationIdHeader = "x-ms-invocation-id";

    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(60);

    private readonly WebApplication _rpc;
    private readonly WorkerChannel _channel;
    private readonly Process _worker;
    private readonly ConcurrentQueue<string> _output;
    private readonly HttpClient _http;
    private readonly Dictionary<string, LoadedFunction> _functions;

    private FunctionsTestHost(WebApplication rpc, WorkerChannel channel, Process worker, ConcurrentQueue<string> output, Uri httpUri,
        IReadOnlyDictionary<string, string> capabilities, Dictionary<string, LoadedFunction> functions, TimeSpan startup)
    {
        (_rpc, _channel, _worker, _output, HttpUri, Capabilities, _functions, Startup) = (rpc, channel, worker, output, httpUri, capabilities, functions, startup);
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = Answer };
    }

    /// <summary>Where the worker's ASP.NET Core integration listens (its <c>HttpUri</c> capability).</summary>
    public Uri HttpUri { get; }

    /// <summary>The capabilities the worker declared in its init response.</summary>
    public IReadOnlyDictionary<string, string> Capabilities { get; }

    /// <summary>Every function the worker reported and loaded, by name.</summary>
    public IReadOnlyDictionary<string, LoadedFunction> Functions => _functions;

    /// <summary>From the process start to the last function loaded.</summary>
    public TimeSpan Startup { get; }

    /// <summary>What the worker wrote to its console and logged over the stream, so far.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>
    /// Starts the worker at <paramref name="workerPath"/> (the built <c>.dll</c>) with the app's settings
    /// (names as app settings, <c>Section__Key</c>), and returns once every function it reports is loaded.
    /// Throws <see cref="WorkerStartException"/> with the worker's output when it stops or fails first.
    /// </summary>
    public static async Task<FunctionsTestHost> StartAsync(string workerPath, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        if (!File.Exists(workerPath))
        {
            throw new FileNotFoundException($"The worker is not built at {workerPath}: build the solution first (dotnet build).", workerPath);
        }
        var output = new ConcurrentQueue<string>();
        var channel = new WorkerChannel(output.Enqueue);
        var rpc = await StartRpcServerAsync(channel, cancellationToken);
        var endpoint = rpc.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var stopwatch = Stopwatch.StartNew();
        var worker = StartWorker(workerPath, endpoint, settings, output);
        try
        {
            var exited = worker.WaitForExitAsync(cancellationToken);
            var started = await Task.WhenAny(channel.Started, exited, Task.Delay(Answer, cancellationToken));
            if (started != channel.Started)
            {
                throw new WorkerStartException(started == exited ? $"The worker exited with code {worker.ExitCode} before opening its stream." : "The worker did not open its stream in time.", Snapshot(output));
            }

            var appDirectory = Path.GetDirectoryName(Path.GetFullPath(workerPath))!;
            var init = new StreamingMessage { RequestId = NewId(), WorkerInitRequest = new WorkerInitRequest { HostVersion = "4.1000.0", WorkerDirectory = appDirectory, FunctionAppDirectory = appDirectory } };
            // What the host declares of itself: it forwards HTTP requests to a worker that reports an HttpUri.
            init.WorkerInitRequest.Capabilities.Add("HttpUri", bool.TrueString);
            init.WorkerInitRequest.Capabilities.Add("RpcHttpBodyOnly", bool.TrueString);
            var initialized = (await channel.RequestAsync(init.RequestId, init, Answer, cancellationToken)).WorkerInitResponse;
            Require(initialized.Result, "WorkerInitRequest", output);
            if (!initialized.Capabilities.TryGetValue("HttpUri", out var httpUri))
            {
                throw new WorkerStartException("The worker declared no HttpUri capability: the ASP.NET Core integration is not in place (ConfigureFunctionsWebApplication).", Snapshot(output));
            }

            var ask = new StreamingMessage { RequestId = NewId(), FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory } };
            var metadata = (await channel.RequestAsync(ask.RequestId, ask, Answer, cancellationToken)).FunctionMetadataResponse;
            Require(metadata.Result, "FunctionsMetadataRequest", output);
            if (metadata.UseDefaultMetadataIndexing)
            {
                throw new WorkerStartException("The worker asked for the host's own indexing of functions.metadata, which this test host does not do.", Snapshot(output));
            }

            var functions = new Dictionary<string, LoadedFunction>(StringComparer.Ordinal);
            foreach (var reported in metadata.FunctionMetadataResults)
            {
                var function = LoadedFunction.From(reported, appDirectory);
                var load = new StreamingMessage { RequestId = NewId(), FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.Id, Metadata = function.Metadata } };
                var loaded = (await channel.RequestAsync(function.Id, load, Answer, cancellationToken)).FunctionLoadResponse;
                Require(loaded.Result, $"FunctionLoadRequest of {function.Name}", output);
                functions.Add(function.Name, function);
            }
            return new FunctionsTestHost(rpc, channel, worker, output, new Uri(httpUri), initialized.Capabilities, functions, stopwatch.Elapsed);
        }
        catch
        {
            int? exitCode = worker.HasExited ? worker.ExitCode : null;
            if (exitCode is not null)
            {
                // Its last words (the redirected output is read to its end).
                await worker.WaitForExitAsync(CancellationToken.None);
            }
            await StopAsync(worker, channel, rpc);
            if (exitCode is null)
            {
                throw;
            }
            throw new WorkerStartException($"The worker stopped during startup (exit code {exitCode}).", Snapshot(output));
        }
    }

    /// <summary>Invokes a function with the given inputs and trigger metadata, as the host does, and returns the worker's answer.</summary>
    public async Task<InvocationResponse> InvokeAsync(string functionName, IEnumerable<ParameterBinding> inputs, IReadOnlyDictionary<string, TypedData>? triggerMetadata, CancellationToken cancellationToken, string? invocationId = null)
    {
        var function = Function(functionName);
        var request = new InvocationRequest { InvocationId = invocationId ?? Guid.NewGuid().ToString(), FunctionId = function.Id };
        request.InputData.AddRange(inputs);
        if (triggerMetadata is not null)
        {
            foreach (var (name, value) in triggerMetadata)
            {
                request.TriggerMetadata.Add(name, value);
            }
        }
        request.TraceContext = new RpcTraceContext { TraceParent = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01" };
        var message = new StreamingMessage { RequestId = NewId(), InvocationRequest = request };
        return (await _channel.RequestAsync(request.InvocationId, message, Answer, cancellationToken)).InvocationResponse;
    }

    /// <summary>A timer trigger, fired now with the TimerInfo payload the host sends.</summary>
    public Task<InvocationResponse> FireTimerAsync(string functionName, DateTimeOffset now, bool isPastDue, CancellationToken cancellationToken)
    {
        var function = Function(functionName);
        var trigger = function.Trigger("timerTrigger");
        var timer = new JsonObject
        {
            ["Schedule"] = new JsonObject { ["AdjustForDST"] = true },
            ["ScheduleStatus"] = new JsonObject { ["Last"] = now.AddHours(-1).ToString("O"), ["Next"] = now.AddHours(1).ToString("O"), ["LastUpdated"] = now.AddHours(-1).ToString("O") },
            ["IsPastDue"] = isPastDue,
        };
        var input = new ParameterBinding { Name = trigger.Name, Data = new TypedData { Json = timer.ToJsonString() } };
        return InvokeAsync(functionName, [input], new Dictionary<string, TypedData> { ["timer"] = new() { Json = timer.ToJsonString() } }, cancellationToken);
    }

    /// <summary>
    /// Sends an HTTP request as the host forwards it: finds the function whose route and method match,
    /// sends its InvocationRequest (route values as trigger metadata), and the request itself to the
    /// worker's HttpUri with <c>x-ms-invocation-id</c>; returns the worker's HTTP response and invocation answer.
    /// </summary>
    public async Task<HttpInvocation> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request.RequestUri);
        var path = request.RequestUri.IsAbsoluteUri ? request.RequestUri.AbsolutePath : "/" + request.RequestUri.OriginalString.Split('?')[0].TrimStart('/');
        var query = request.RequestUri.IsAbsoluteUri ? request.RequestUri.Query : (request.RequestUri.OriginalString.IndexOf('?', StringComparison.Ordinal) is var q and >= 0 ? request.RequestUri.OriginalString[q..] : "");
        var (function, values) = HttpRoutes.Match(_functions.Values, request.Method.Method, path)
            ?? throw new InvalidOperationException($"No HTTP trigger answers {request.Method} {path}.");

        var invocationId = Guid.NewGuid().ToString();
        var trigger = function.Trigger("httpTrigger");
        var metadata = values.ToDictionary(v => v.Key, v => new TypedData { String = v.Value }, StringComparer.Ordinal);
        var http = new RpcHttp { Method = request.Method.Method, Url = new Uri(HttpUri, path + query).ToString() };
        var input = new ParameterBinding { Name = trigger.Name, Data = new TypedData { Http = http } };
        var invocation = InvokeAsync(function.Name, [input], metadata, cancellationToken, invocationId);

        request.RequestUri = new Uri(HttpUri, path.TrimStart('/') + query);
        request.Headers.Add(InvocationIdHeader, invocationId);
        using var response = await _http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var answer = await invocation;
        return new HttpInvocation(function.Name, response.StatusCode, Headers(response), body, answer);
    }

    /// <summary>
    /// Plays the host's queue listener on one real queue until it is empty: each message (Base64, as
    /// host.json's <c>messageEncoding</c> says) is handed to the function bound to the queue with its
    /// <c>dequeueCount</c> and the other metadata the host sends; a message whose invocation fails becomes
    /// visible again and is retried, and after <paramref name="maxDequeueCount"/> attempts moves to
    /// <c>{queue}-poison</c>, as the host does. <paramref name="queues"/> must be a client without a message
    /// encoding of its own (the raw text is decoded here, as the host does).
    /// </summary>
    public async Task<QueueRun> DrainQueueAsync(Azure.Storage.Queues.QueueServiceClient queues, string queueName, int maxDequeueCount, TimeSpan within, CancellationToken cancellationToken)
    {
        var function = _functions.Values.SingleOrDefault(f => f.Bindings.Any(b => b.Type == "queueTrigger" && (string?)b.Raw["queueName"] == queueName))
            ?? throw new InvalidOperationException($"No function is triggered by the queue {queueName}.");
        var trigger = function.Trigger("queueTrigger");
        var queue = queues.GetQueueClient(queueName);
        var (succeeded, failed, poisoned) = (0, 0, 0);
        var failures = new List<string>();
        var attempts = new ConcurrentDictionary<string, List<long>>();
        var deadline = DateTimeOffset.UtcNow + within;
        while (DateTimeOffset.UtcNow < deadline)
        {
            Azure.Storage.Queues.Models.QueueMessage[] batch;
            try
            {
                batch = (await queue.ReceiveMessagesAsync(16, TimeSpan.FromSeconds(30), cancellationToken)).Value;
            }
            catch (Azure.RequestFailedException e) when (e.Status == 404)
            {
                // No queue yet: nothing was ever sent to it.
                break;
            }
            if (batch.Length == 0)
            {
                break;
            }
            await Parallel.ForEachAsync(batch, cancellationToken, async (message, ct) =>
            {
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText));
                var metadata = new Dictionary<string, TypedData>
                {
                    // The host sends the metadata that is not text as JSON (the worker reads no Int here).
                    ["DequeueCount"] = new() { Json = message.DequeueCount.ToString(CultureInfo.InvariantCulture) },
                    ["Id"] = new() { String = message.MessageId },
                    ["PopReceipt"] = new() { String = message.PopReceipt },
                    ["InsertionTime"] = new() { Json = JsonSerializer.Serialize(message.InsertedOn) },
                    ["ExpirationTime"] = new() { Json = JsonSerializer.Serialize(message.ExpiresOn) },
                    ["NextVisibleTime"] = new() { Json = JsonSerializer.Serialize(message.NextVisibleOn) },
                    ["QueueTrigger"] = new() { String = text },
                };
                var input = new ParameterBinding { Name = trigger.Name, Data = new TypedData { String = text } };
                var answer = await InvokeAsync(function.Name, [input], metadata, ct);
                var seen = attempts.GetOrAdd(message.MessageId, _ => []);
                lock (seen)
                {
                    seen.Add(message.DequeueCount);
                }
                if (answer.Result.Status == StatusResult.Types.Status.Success)
                {
                    Interlocked.Increment(ref succeeded);
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
                    return;
                }
                Interlocked.Increment(ref failed);
                lock (failures)
                {
                    failures.Add(answer.Result.Exception?.Message ?? "failed");
                }
                if (message.DequeueCount >= maxDequeueCount)
                {
                    Interlocked.Increment(ref poisoned);
                    var poison = queues.GetQueueClient(queueName + "-poison");
                    await poison.CreateIfNotExistsAsync(cancellationToken: ct);
                    await poison.SendMessageAsync(message.MessageText, ct);
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
                }
                else
                {
                    await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: ct);
                }
            });
        }
        return new QueueRun(function.Name, succeeded, failed, poisoned, failures, attempts.ToDictionary(a => a.Key, a => (IReadOnlyList<long>)a.Value));
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await StopAsync(_worker, _channel, _rpc);
    }

    private LoadedFunction Function(string name) =>
        _functions.TryGetValue(name, out var function) ? function : throw new InvalidOperationException($"The worker loaded no function {name}.");

    private static async Task<WebApplication> StartRpcServerAsync(WorkerChannel channel, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = grpc.MaxSendMessageSize = int.MaxValue);
        builder.Services.AddSingleton(channel);
        var app = builder.Build();
        app.MapGrpcService<FunctionRpcService>();
        await app.StartAsync(cancellationToken);
        return app;
    }

    private static Process StartWorker(string workerPath, string endpoint, IReadOnlyDictionary<string, string> settings, ConcurrentQueue<string> output)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(workerPath))!;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.GetFullPath(workerPath));
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("Functions__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("AzureWebJobs", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(inherited);
        }
        // What the host gives a worker it starts.
        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = directory;
        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = directory;
        start.Environment["AzureWebJobsScriptRoot"] = directory;
        start.Environment["Functions__Worker__HostEndpoint"] = endpoint.TrimEnd('/');
        start.Environment["Functions__Worker__WorkerId"] = Guid.NewGuid().ToString();
        start.Environment["Functions__Worker__RequestId"] = Guid.NewGuid().ToString();
        start.Environment["Functions__Worker__GrpcMaxMessageLength"] = int.MaxValue.ToString(CultureInfo.InvariantCulture);
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task StopAsync(Process worker, WorkerChannel channel, WebApplication rpc)
    {
        if (!worker.HasExited)
        {
            channel.TrySend(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) } });
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await worker.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync(CancellationToken.None);
            }
        }
        worker.Dispose();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await rpc.StopAsync(stop.Token);
        await rpc.DisposeAsync();
    }

    private static void Require(StatusResult? result, string step, ConcurrentQueue<string> output)
    {
        if (result is null || result.Status != StatusResult.Types.Status.Success)
        {
            throw new WorkerStartException($"{step} failed: {result?.Exception?.Message ?? result?.Result ?? "no result"}", Snapshot(output));
        }
    }

    private static Dictionary<string, string> Headers(HttpResponseMessage response) =>
        response.Headers.Concat(response.Content.Headers).ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);

    private static string Snapshot(ConcurrentQueue<string> output) => string.Join('\n', output);

    private static string NewId() => Guid.NewGuid().ToString();
}

/// <summary>One function as the worker reported it, with the bindings the host loaded it with.</summary>
public sealed record LoadedFunction(string Id, string Name, RpcFunctionMetadata Metadata, IReadOnlyList<LoadedBinding> Bindings)
{
    /// <summary>The trigger binding of the given type (<c>httpTrigger</c>, <c>queueTrigger</c>, <c>timerTrigger</c>).</summary>
    public LoadedBinding Trigger(string type) =>
        Bindings.SingleOrDefault(b => string.Equals(b.Type, type, StringComparison.OrdinalIgnoreCase) && b.Direction == "In")
        ?? throw new InvalidOperationException($"{Name} has no {type} binding.");

    /// <summary>The trigger's type (the first binding that ends in "Trigger").</summary>
    public string TriggerType => Bindings.First(b => b.Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase)).Type;

    internal static LoadedFunction From(RpcFunctionMetadata reported, string appDirectory)
    {
        var metadata = reported.Clone();
        if (string.IsNullOrEmpty(metadata.FunctionId))
        {
            metadata.FunctionId = Guid.NewGuid().ToString();
        }
        metadata.Directory = appDirectory;
        metadata.ScriptFile = Path.Combine(appDirectory, Path.GetFileName(metadata.ScriptFile));
        var bindings = new List<LoadedBinding>();
        // As the host does: each raw binding (JSON) becomes a BindingInfo keyed by its name.
        foreach (var raw in metadata.RawBindings)
        {
            var json = JsonNode.Parse(raw)!.AsObject();
            var binding = new LoadedBinding((string)json["name"]!, (string)json["type"]!, (string?)json["direction"] ?? "In", json);
            var info = new BindingInfo
            {
                Type = binding.Type,
                Direction = binding.Direction.ToUpperInvariant() switch { "OUT" => BindingInfo.Types.Direction.Out, "INOUT" => BindingInfo.Types.Direction.Inout, _ => BindingInfo.Types.Direction.In },
                DataType = ((string?)json["dataType"])?.ToUpperInvariant() switch
                {
                    "STRING" => BindingInfo.Types.DataType.String,
                    "BINARY" => BindingInfo.Types.DataType.Binary,
                    "STREAM" => BindingInfo.Types.DataType.Stream,
                    _ => BindingInfo.Types.DataType.Undefined,
                },
            };
            metadata.Bindings[binding.Name] = info;
            bindings.Add(binding);
        }
        return new LoadedFunction(metadata.FunctionId, metadata.Name, metadata, bindings);
    }
}

/// <summary>One binding of a function: name, type, direction and its raw JSON (route, methods, queueName, schedule...).</summary>
public sealed record LoadedBinding(string Name, string Type, string Direction, JsonObject Raw);

/// <summary>What an HTTP trigger answered through the ASP.NET Core integration, and the invocation's own answer.</summary>
public sealed record HttpInvocation(string Function, HttpStatusCode Status, IReadOnlyDictionary<string, string> Headers, byte[] Body, InvocationResponse Invocation)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public string? ContentType => Headers.TryGetValue("Content-Type", out var type) ? type : null;
}

/// <summary>What one drain of a queue did: invocations that succeeded, that failed (each retried), and messages moved to poison.</summary>
/// <remarks><see cref="Attempts"/>: the dequeue counts each message was handed over with, by message id.</remarks>
public sealed record QueueRun(string Function, int Succeeded, int Failed, int Poisoned, IReadOnlyList<string> Failures, IReadOnlyDictionary<string, IReadOnlyList<long>> Attempts)
{
    public override string ToString() =>
        $"{Function}: {Succeeded} succeeded, {Failed} failed, {Poisoned} to poison{(Failures.Count > 0 ? $" ({string.Join("; ", Failures.Distinct())})" : "")}";
}

/// <summary>The worker did not get through its startup: the message says where, <see cref="Output"/> what it said.</summary>
public sealed class WorkerStartException(string message, string output) : Exception($"{message}\n--- worker output ---\n{output}")
{
    public string Output { get; } = output;
}
