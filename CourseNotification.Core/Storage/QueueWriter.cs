using System.Text.Json;

namespace CourseNotification.Storage;

/// <summary>Puts JSON messages on the service's queues (base64, as the Functions queue trigger reads them).</summary>
public sealed class QueueWriter(StorageAccount storage)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Sends a message, invisible for <paramref name="delay"/>; it never expires (a paced send may wait days).</summary>
    public async Task SendAsync<T>(string queue, T message, CancellationToken cancellationToken, TimeSpan? delay = null) =>
        await storage.Queue(queue).SendMessageAsync(JsonSerializer.Serialize(message, Json), delay > TimeSpan.Zero ? delay : null, NeverExpires, cancellationToken);

    private static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);

    public static T Read<T>(string body) =>
        JsonSerializer.Deserialize<T>(body, Json) ?? throw new JsonException($"Empty {typeof(T).Name} message.");
}
