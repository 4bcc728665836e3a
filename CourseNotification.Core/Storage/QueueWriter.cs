using System.Text.Json;

namespace CourseNotification.Storage;

/// <summary>Puts JSON messages on the service's queues (base64, as the Functions queue trigger reads them).</summary>
public sealed class QueueWriter(StorageAccount storage)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task SendAsync<T>(string queue, T message, CancellationToken cancellationToken, TimeSpan? delay = null) =>
        await storage.Queue(queue).SendMessageAsync(JsonSerializer.Serialize(message, Json), delay, cancellationToken: cancellationToken);

    public static T Read<T>(string body) =>
        JsonSerializer.Deserialize<T>(body, Json) ?? throw new JsonException($"Empty {typeof(T).Name} message.");
}
