using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace CourseNotification.Http;

/// <summary>Reads a request body as JSON within a size limit; a refusal is a ready problem+json result.</summary>
internal static class JsonBody
{
    /// <summary>A key given twice is refused while parsing (a JsonObject would otherwise throw when first read, far from here).</summary>
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    /// <summary>The body parsed, and its exact bytes (signatures are computed over them).</summary>
    /// <param name="otherwise">Reads a body that is not JSON another way (null when it cannot): a route that takes another format too.</param>
    public static async Task<(JsonNode? Json, byte[] Raw, IResult? Problem)> ReadAsync(
        HttpRequest request, long maxBytes, CancellationToken cancellationToken, Func<byte[], JsonNode?>? otherwise = null)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, [], Problems.Field(413, "body", $"The body is {request.ContentLength} bytes; at most {maxBytes} are accepted."));
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (null, [], Problems.Field(413, "body", $"The body exceeds {maxBytes} bytes."));
            }
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0)
        {
            return (null, [], Problems.Field(400, "body", "The body is empty; a JSON document is expected."));
        }
        var raw = buffer.ToArray();
        if (!System.Text.Unicode.Utf8.IsValid(raw))
        {
            return (null, [], Problems.Field(400, "body", "The body is not valid UTF-8."));
        }
        try
        {
            return (JsonNode.Parse(raw, documentOptions: Strict), raw, null);
        }
        catch (JsonException) when (otherwise?.Invoke(raw) is { } other)
        {
            return (other, raw, null);
        }
        catch (JsonException e)
        {
            return (null, [], Problems.Field(400, "body", $"The body is not valid JSON: {e.Message}"));
        }
    }

    /// <summary>
    /// A body that is JSON but not of the expected shape, refused naming the field at fault, without the
    /// serializer's message (it names .NET types, which are nobody's business outside).
    /// </summary>
    public static IResult ShapeProblem(JsonException e, string what)
    {
        var path = e.Path?.TrimStart('$', '.');
        return Problems.Field(400, path is { Length: > 0 } ? path : "body", $"Not the expected shape for {what}: the value at '{(path is { Length: > 0 } ? path : "$")}' has the wrong type or is missing.");
    }
}
