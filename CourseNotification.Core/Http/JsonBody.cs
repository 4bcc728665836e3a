using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace CourseNotification.Http;

/// <summary>Reads a request body as JSON within a size limit; a refusal is a ready problem+json result.</summary>
internal static class JsonBody
{
    /// <summary>The body parsed, and its exact bytes (signatures are computed over them).</summary>
    public static async Task<(JsonNode? Json, byte[] Raw, IResult? Problem)> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
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
        try
        {
            var raw = buffer.ToArray();
            return (JsonNode.Parse(raw), raw, null);
        }
        catch (JsonException e)
        {
            return (null, [], Problems.Field(400, "body", $"The body is not valid JSON: {e.Message}"));
        }
    }
}
