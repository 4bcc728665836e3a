using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using CourseNotification.Storage;

namespace CourseNotification.Tests.Integration;

/// <summary>
/// Azure Storage's limits, which Azurite does not enforce, in every storage client of the tests: each
/// outgoing table or queue request is read, and one that Azure would refuse is answered here as Azure
/// answers it (status, error code, a message naming the limit) instead of reaching Azurite. So the SDK
/// throws the <see cref="RequestFailedException"/> (or <see cref="TableTransactionFailedException"/>)
/// production would meet. The limits, from Azure's documentation (Understanding the Table service data
/// model; Performing entity group transactions; Querying tables and entities; Queue service):
/// an entity of at most 1 MiB (4 bytes + 2 per key character + per property 8 bytes, 2 per name
/// character and its value: a string 4 + 2 per character, binary 4 + its bytes, bool 1, int 4, long,
/// double and date 8, guid 16); at most 252 custom properties; a string or binary value of at most
/// 64 KiB (a string is UTF-16: 32,768 characters); property names of at most 255 characters; keys of at
/// most 1 KiB (UTF-16: 512 characters) without / \ # ? or control characters; a transaction of at most
/// 100 operations, 4 MiB and one partition; a filter of at most 15 comparisons; a queue message of at
/// most 64 KiB as sent (after the Base64 encoding the service uses).
/// A merge is checked against the entity it merges into (read first, the merge held until written, so
/// that parallel merges of one entity are counted one after the other).
/// </summary>
internal sealed partial class AzureLimits : HttpPipelinePolicy
{
    public const int MaxEntityBytes = 1024 * 1024;
    public const int MaxCustomProperties = 252;
    public const int MaxValueBytes = 64 * 1024;
    public const int MaxStringChars = MaxValueBytes / 2;
    public const int MaxPropertyNameChars = 255;
    public const int MaxKeyChars = 1024 / 2;
    public const int MaxBatchOperations = 100;
    public const int MaxBatchBytes = 4 * 1024 * 1024;
    public const int MaxFilterComparisons = 15;
    public const int MaxQueueMessageBytes = 64 * 1024;

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> EntityLocks = new();
    private readonly TableServiceClient? _reader;
    private int _refused;

    /// <param name="reader">A client of the same account without this policy, to read the entity a merge goes into (without it, a merge is checked alone).</param>
    public AzureLimits(TableServiceClient? reader) => _reader = reader;

    /// <summary>The policy for an account given by its connection string (merges read through a plain client of it).</summary>
    public static AzureLimits For(string connectionString) => new(new TableServiceClient(connectionString));

    /// <summary>The same, as a <see cref="StoragePipelinePolicy"/> to register in a host's services.</summary>
    public static StoragePipelinePolicy PolicyFor(string connectionString) => new(For(connectionString));

    /// <summary>How many requests this policy answered in Azure's place.</summary>
    public int Refused => Volatile.Read(ref _refused);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline, async: false).AsTask().GetAwaiter().GetResult();

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline, async: true);

    private async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline, bool async)
    {
        var request = message.Request;
        SemaphoreSlim? held = null;
        try
        {
            Refusal? refusal;
            if (IsTableRequest(request))
            {
                (refusal, held) = await CheckTableAsync(request, async, message.CancellationToken);
            }
            else
            {
                refusal = CheckQueue(request);
            }
            if (refusal is not null)
            {
                Interlocked.Increment(ref _refused);
                message.Response = refusal.ToResponse(request.ClientRequestId);
                ServiceParser.Give(message.Response, pipeline);
                return;
            }
            if (async)
            {
                await ProcessNextAsync(message, pipeline);
            }
            else
            {
                ProcessNext(message, pipeline);
            }
        }
        finally
        {
            held?.Release();
        }
    }

    /// <summary>What Azure answers instead: status, error code, message; in a transaction, the index of the operation refused (answered inside a 202 batch response, as Azure does).</summary>
    internal sealed record Refusal(int Status, string Code, string Message, bool Table = true, int? Operation = null)
    {
        public Response ToResponse(string clientRequestId)
        {
            var requestId = Guid.NewGuid();
            var time = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
            var detail = $"{Message}\nRequestId:{requestId}\nTime:{time}";
            var reason = Status == 413 ? "Request Entity Too Large" : "Bad Request";
            if (!Table)
            {
                var xml = $"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{Code}</Code><Message>{System.Security.SecurityElement.Escape(detail)}</Message></Error>";
                return new RefusalResponse(Status, reason, clientRequestId, "application/xml", Code, xml);
            }
            var json = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["odata.error"] = new Dictionary<string, object>
                {
                    ["code"] = Code,
                    ["message"] = new Dictionary<string, string> { ["lang"] = "en-US", ["value"] = (Operation is { } i ? $"{i}:" : "") + detail },
                },
            });
            const string jsonType = "application/json;odata=minimalmetadata;streaming=true;charset=utf-8";
            if (Operation is null)
            {
                return new RefusalResponse(Status, reason, clientRequestId, jsonType, Code, json);
            }
            // A refused operation of a transaction: 202 Accepted, the failed operation's own response in the changeset.
            var (batch, changeset) = ($"batchresponse_{Guid.NewGuid()}", $"changesetresponse_{Guid.NewGuid()}");
            var body = new StringBuilder()
                .Append("--").Append(batch).Append("\r\n")
                .Append("Content-Type: multipart/mixed; boundary=").Append(changeset).Append("\r\n\r\n")
                .Append("--").Append(changeset).Append("\r\n")
                .Append("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n")
                .Append("HTTP/1.1 ").Append(Status.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(reason).Append("\r\n")
                .Append("X-Content-Type-Options: nosniff\r\nDataServiceVersion: 3.0;\r\n")
                .Append("x-ms-error-code: ").Append(Code).Append("\r\n")
                .Append("Content-Type: ").Append(jsonType).Append("\r\n\r\n")
                .Append(json).Append("\r\n")
                .Append("--").Append(changeset).Append("--\r\n")
                .Append("--").Append(batch).Append("--\r\n");
            return new RefusalResponse(202, "Accepted", clientRequestId, $"multipart/mixed; boundary={batch}", null, body.ToString());
        }
    }

    // Table requests carry the OData version header; queue requests do not.
    private static bool IsTableRequest(Request request) => request.Headers.Contains("DataServiceVersion");

    private async Task<(Refusal?, SemaphoreSlim?)> CheckTableAsync(Request request, bool async, CancellationToken cancellationToken)
    {
        var uri = request.Uri.ToUri();
        var last = Uri.UnescapeDataString(uri.AbsolutePath.TrimEnd('/').Split('/')[^1]);
        if (request.Method == RequestMethod.Get)
        {
            return (QueryString(uri.Query, "$filter") is { } filter ? CheckFilter(filter) : null, null);
        }
        if (last == "$batch")
        {
            return (await CheckBatchAsync(request, async, cancellationToken), null);
        }
        if (last.Equals("Tables", StringComparison.OrdinalIgnoreCase) || last.StartsWith("Tables(", StringComparison.OrdinalIgnoreCase))
        {
            return (null, null);
        }
        var body = request.Content is null ? "" : Encoding.UTF8.GetString(await ReadAsync(request.Content, async, cancellationToken));
        var op = Operation.Parse(request.Method.Method, last, body);
        if (op.Merge && _reader is not null && op.PartitionKey is not null && op.RowKey is not null)
        {
            // Held until Azurite has the merge, so that the next merge of the same entity sees it.
            var gate = EntityLocks.GetOrAdd($"{uri.Authority}|{op.Table}|{op.PartitionKey}|{op.RowKey}", _ => new SemaphoreSlim(1, 1));
            if (async)
            {
                await gate.WaitAsync(cancellationToken);
            }
            else
            {
                gate.Wait(cancellationToken);
            }
            try
            {
                var refusal = CheckEntity(op, await ExistingAsync(op, async, cancellationToken));
                if (refusal is not null)
                {
                    gate.Release();
                    return (refusal, null);
                }
                return (null, gate);
            }
            catch
            {
                gate.Release();
                throw;
            }
        }
        return (CheckEntity(op, null), null);
    }

    private async Task<Refusal?> CheckBatchAsync(Request request, bool async, CancellationToken cancellationToken)
    {
        var bytes = request.Content is null ? [] : await ReadAsync(request.Content, async, cancellationToken);
        if (bytes.Length > MaxBatchBytes)
        {
            return new Refusal(413, "RequestBodyTooLarge", $"The request body is too large and exceeds the maximum permissible limit: a transaction is at most 4 MiB ({MaxBatchBytes} bytes), this one is {bytes.Length}.");
        }
        var operations = ParseBatch(Encoding.UTF8.GetString(bytes));
        if (operations.Count > MaxBatchOperations)
        {
            return new Refusal(400, "InvalidInput", $"The batch request operation exceeds the maximum {MaxBatchOperations} changes per change set (it has {operations.Count}).");
        }
        var partition = operations.FirstOrDefault()?.PartitionKey;
        for (var i = 0; i < operations.Count; i++)
        {
            var op = operations[i];
            if (op.PartitionKey != partition)
            {
                return new Refusal(400, "CommandsInBatchActOnDifferentPartitions", "All commands in a batch must operate on same entity group (one PartitionKey).", Operation: i);
            }
            var existing = op.Merge ? await ExistingAsync(op, async, cancellationToken) : null;
            if (CheckEntity(op, existing) is { } refusal)
            {
                return refusal with { Operation = i };
            }
        }
        return null;
    }

    private static Refusal? CheckEntity(Operation op, IReadOnlyDictionary<string, object>? existing)
    {
        foreach (var (name, key) in new[] { ("PartitionKey", op.PartitionKey), ("RowKey", op.RowKey) })
        {
            if (key is null)
            {
                continue;
            }
            if (key.Length > MaxKeyChars)
            {
                return new Refusal(400, "KeyValueTooLarge", $"The {name} is {key.Length} characters long: a key is at most 1 KiB in UTF-16 ({MaxKeyChars} characters).");
            }
            foreach (var c in key)
            {
                if (c is '/' or '\\' or '#' or '?' or <= '\u001F' or (>= '\u007F' and <= '\u009F'))
                {
                    return new Refusal(400, "OutOfRangeInput", $"The '{name}' parameter is out of range: a key cannot contain / \\ # ? or control characters (it has U+{(int)c:X4}).");
                }
            }
        }
        if (op.Properties is null)
        {
            return null;
        }
        var properties = new Dictionary<string, long>(StringComparer.Ordinal);
        if (existing is not null)
        {
            foreach (var (name, value) in existing)
            {
                properties[name] = SizeOf(value);
            }
        }
        foreach (var (name, size, kind) in op.Properties)
        {
            if (name.Length > MaxPropertyNameChars)
            {
                return new Refusal(400, "PropertyNameTooLong", $"The property name exceeds the maximum allowed length: {name.Length} characters, at most {MaxPropertyNameChars}.");
            }
            if (kind is "Edm.String" or "Edm.Binary" && size - 4 > MaxValueBytes)
            {
                return new Refusal(400, "PropertyValueTooLarge", $"The property value is larger than the maximum size permitted: '{name}' is {size - 4} bytes ({kind}; a string is UTF-16, 2 bytes a character), at most 64 KiB ({MaxValueBytes} bytes).");
            }
            properties[name] = size;
        }
        if (properties.Count > MaxCustomProperties)
        {
            return new Refusal(400, "TooManyProperties", $"The entity contains more properties than allowed: {properties.Count} custom properties{(existing is null ? "" : " once merged")}, at most {MaxCustomProperties}.");
        }
        long total = 4 + 2L * ((op.PartitionKey?.Length ?? 0) + (op.RowKey?.Length ?? 0));
        foreach (var (name, size) in properties)
        {
            total += 8 + 2L * name.Length + size;
        }
        return total > MaxEntityBytes
            ? new Refusal(400, "EntityTooLarge", $"The entity is larger than the maximum size permitted: {total} bytes{(existing is null ? "" : " once merged")}, at most 1 MiB ({MaxEntityBytes} bytes).")
            : null;
    }

    private static long SizeOf(object value) => value switch
    {
        string s => 4 + 2L * s.Length,
        byte[] b => 4 + b.Length,
        BinaryData b => 4 + b.ToMemory().Length,
        bool => 1,
        int => 4,
        long or double or DateTimeOffset or DateTime => 8,
        Guid => 16,
        _ => 8,
    };

    private async Task<IReadOnlyDictionary<string, object>?> ExistingAsync(Operation op, bool async, CancellationToken cancellationToken)
    {
        if (_reader is null || op.Table is null || op.PartitionKey is null || op.RowKey is null)
        {
            return null;
        }
        var table = _reader.GetTableClient(op.Table);
        var found = async
            ? await table.GetEntityIfExistsAsync<TableEntity>(op.PartitionKey, op.RowKey, cancellationToken: cancellationToken)
            : table.GetEntityIfExists<TableEntity>(op.PartitionKey, op.RowKey, cancellationToken: cancellationToken);
        return found.HasValue
            ? found.Value!.Where(p => !IsSystem(p.Key) && p.Value is not null).ToDictionary(p => p.Key, p => p.Value)
            : null;
    }

    private static bool IsSystem(string name) =>
        name is "PartitionKey" or "RowKey" or "Timestamp" || name.StartsWith("odata.", StringComparison.Ordinal) || name.Contains("@odata.", StringComparison.Ordinal);

    /// <summary>An operation on one entity: its table, keys, whether it merges, and its properties with their sizes as Azure counts them.</summary>
    private sealed record Operation(string? Table, string? PartitionKey, string? RowKey, bool Merge, List<(string Name, long Size, string Kind)>? Properties)
    {
        public static Operation Parse(string method, string lastSegment, string body)
        {
            // The URL names the entity of an update, merge or delete: table(PartitionKey='..',RowKey='..'); an insert names the table.
            var match = EntityAddress().Match(lastSegment);
            var table = match.Success ? match.Groups[1].Value : lastSegment;
            string? pk = match.Success ? match.Groups[2].Value.Replace("''", "'", StringComparison.Ordinal) : null;
            string? rk = match.Success ? match.Groups[3].Value.Replace("''", "'", StringComparison.Ordinal) : null;
            List<(string, long, string)>? properties = null;
            if (!string.IsNullOrWhiteSpace(body) && method != "DELETE")
            {
                using var json = JsonDocument.Parse(body);
                properties = [];
                var root = json.RootElement;
                foreach (var property in root.EnumerateObject())
                {
                    var name = property.Name;
                    if (name == "PartitionKey")
                    {
                        pk = property.Value.GetString();
                        continue;
                    }
                    if (name == "RowKey")
                    {
                        rk = property.Value.GetString();
                        continue;
                    }
                    if (IsSystem(name) || property.Value.ValueKind == JsonValueKind.Null)
                    {
                        continue;
                    }
                    var annotation = root.TryGetProperty(name + "@odata.type", out var type) ? type.GetString() : null;
                    var value = property.Value;
                    var (kind, size) = (annotation, value.ValueKind) switch
                    {
                        ("Edm.Binary", _) => ("Edm.Binary", 4L + Convert.FromBase64String(value.GetString()!).Length),
                        ("Edm.Int64", _) or ("Edm.DateTime", _) or ("Edm.Double", _) => (annotation!, 8L),
                        ("Edm.Guid", _) => ("Edm.Guid", 16L),
                        (_, JsonValueKind.String) => ("Edm.String", 4L + 2L * value.GetString()!.Length),
                        (_, JsonValueKind.True or JsonValueKind.False) => ("Edm.Boolean", 1L),
                        (_, JsonValueKind.Number) when value.TryGetInt32(out _) && !value.GetRawText().Contains('.', StringComparison.Ordinal) => ("Edm.Int32", 4L),
                        _ => ("Edm.Double", 8L),
                    };
                    properties.Add((name, size, kind));
                }
            }
            return new Operation(table, pk, rk, method is "PATCH" or "MERGE", properties);
        }
    }

    [GeneratedRegex(@"^([^(]+)\(PartitionKey='(.*)',\s*RowKey='(.*)'\)$", RegexOptions.Singleline)]
    private static partial Regex EntityAddress();

    /// <summary>The operations of a transaction's changeset (multipart/mixed in multipart/mixed): each one's request line, and its JSON body.</summary>
    private static List<Operation> ParseBatch(string content)
    {
        var operations = new List<Operation>();
        var changeset = ChangesetBoundary().Match(content);
        if (!changeset.Success)
        {
            return operations;
        }
        var boundary = "--" + changeset.Groups[1].Value;
        foreach (var part in content.Split(boundary, StringSplitOptions.None).Skip(1))
        {
            if (part.StartsWith("--", StringComparison.Ordinal))
            {
                break;
            }
            var requestLine = RequestLine().Match(part);
            if (!requestLine.Success)
            {
                continue;
            }
            var (method, url) = (requestLine.Groups[1].Value, requestLine.Groups[2].Value);
            var headersEnd = part.IndexOf("\r\n\r\n", requestLine.Index + requestLine.Length - 2, StringComparison.Ordinal);
            var body = headersEnd < 0 ? "" : part[(headersEnd + 4)..].Trim();
            var path = new Uri(url).AbsolutePath.TrimEnd('/');
            var last = Uri.UnescapeDataString(path.Split('/')[^1]);
            operations.Add(Operation.Parse(method, last, body));
        }
        return operations;
    }

    [GeneratedRegex(@"boundary=(changeset_[^\s;]+)")]
    private static partial Regex ChangesetBoundary();

    [GeneratedRegex(@"(?m)^(POST|PUT|PATCH|MERGE|DELETE|GET) (\S+) HTTP/1\.1\r?$")]
    private static partial Regex RequestLine();

    /// <summary>A filter has at most 15 comparisons (eq ne gt ge lt le outside string literals).</summary>
    private static Refusal? CheckFilter(string filter)
    {
        var outsideStrings = StringLiteral().Replace(filter, "''");
        var comparisons = Comparison().Count(outsideStrings);
        return comparisons > MaxFilterComparisons
            ? new Refusal(400, "InvalidInput", $"One of the request inputs is not valid: the filter has {comparisons} comparisons, a filter has at most {MaxFilterComparisons}.")
            : null;
    }

    [GeneratedRegex("'(?:[^']|'')*'")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\b(eq|ne|gt|ge|lt|le)\b")]
    private static partial Regex Comparison();

    private static string? QueryString(string query, string name)
    {
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var cut = pair.IndexOf('=', StringComparison.Ordinal);
            if (cut > 0 && Uri.UnescapeDataString(pair[..cut]) == name)
            {
                return Uri.UnescapeDataString(pair[(cut + 1)..]);
            }
        }
        return null;
    }

    /// <summary>A queue message (put or update) is at most 64 KiB as sent: the MessageText after the client's encoding.</summary>
    private static Refusal? CheckQueue(Request request)
    {
        if (request.Content is null || (request.Method != RequestMethod.Post && request.Method != RequestMethod.Put)
            || !request.Uri.ToUri().AbsolutePath.Contains("/messages", StringComparison.Ordinal))
        {
            return null;
        }
        using var buffer = new MemoryStream();
        request.Content.WriteTo(buffer, CancellationToken.None);
        var xml = Encoding.UTF8.GetString(buffer.ToArray());
        var text = MessageText().Match(xml);
        if (!text.Success)
        {
            return null;
        }
        var size = Encoding.UTF8.GetByteCount(System.Net.WebUtility.HtmlDecode(text.Groups[1].Value));
        return size > MaxQueueMessageBytes
            ? new Refusal(400, "MessageTooLarge", $"The message exceeds the maximum allowed size: {size} bytes as sent, at most 64 KiB ({MaxQueueMessageBytes} bytes).", Table: false)
            : null;
    }

    [GeneratedRegex("<MessageText>(.*)</MessageText>", RegexOptions.Singleline)]
    private static partial Regex MessageText();

    private static async Task<byte[]> ReadAsync(RequestContent content, bool async, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        if (async)
        {
            await content.WriteToAsync(buffer, cancellationToken);
        }
        else
        {
            content.WriteTo(buffer, cancellationToken);
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// The client reads a service's error (code, failed operation of a transaction) with the parser its
    /// pipeline's transport stage gives each response; a response made here skips that stage, so it is given
    /// the same parser (internal to Azure.Core: reached by reflection, and a clear failure if that changes).
    /// </summary>
    private static class ServiceParser
    {
        private const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;
        private static readonly PropertyInfo ResponseParser = typeof(Response).GetProperty("RequestFailedDetailsParser", Private)
            ?? throw new InvalidOperationException("Azure.Core's Response has no RequestFailedDetailsParser any more: AzureLimits cannot give its responses the client's error parser.");

        public static void Give(Response response, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            var transport = pipeline.Span[^1];
            var parser = transport.GetType().GetField("_errorParser", Private)
                ?? throw new InvalidOperationException($"{transport.GetType()} has no _errorParser any more: AzureLimits cannot give its responses the client's error parser.");
            ResponseParser.SetValue(response, parser.GetValue(transport));
        }
    }

    /// <summary>A response made here, as the service would have sent it.</summary>
    private sealed class RefusalResponse : Response
    {
        private readonly Dictionary<string, string> _headers = new(StringComparer.OrdinalIgnoreCase);

        public RefusalResponse(int status, string reason, string clientRequestId, string contentType, string? errorCode, string body)
        {
            Status = status;
            ReasonPhrase = reason;
            ClientRequestId = clientRequestId;
            var bytes = Encoding.UTF8.GetBytes(body);
            ContentStream = new MemoryStream(bytes);
            _headers["Content-Type"] = contentType;
            _headers["Content-Length"] = bytes.Length.ToString(CultureInfo.InvariantCulture);
            _headers["x-ms-request-id"] = Guid.NewGuid().ToString();
            _headers["x-ms-client-request-id"] = clientRequestId;
            _headers["x-ms-version"] = "2019-02-02";
            if (errorCode is not null)
            {
                _headers["x-ms-error-code"] = errorCode;
            }
        }

        public override int Status { get; }

        public override string ReasonPhrase { get; }

        public override Stream? ContentStream { get; set; }

        public override string ClientRequestId { get; set; }

        public override bool IsError => Status >= 400;

        public override void Dispose() => ContentStream?.Dispose();

        protected override bool ContainsHeader(string name) => _headers.ContainsKey(name);

        protected override bool TryGetHeader(string name, out string value) => _headers.TryGetValue(name, out value!);

        protected override bool TryGetHeaderValues(string name, out IEnumerable<string> values)
        {
            var found = _headers.TryGetValue(name, out var value);
            values = found ? [value!] : [];
            return found;
        }

        protected override IEnumerable<HttpHeader> EnumerateHeaders() => _headers.Select(h => new HttpHeader(h.Key, h.Value));
    }
}
