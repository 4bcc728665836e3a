using System.Text.Json.Nodes;

namespace CourseNotification.Settings;

/// <summary>
/// The queue behaviour host.json gives the Functions host (extensions.queues), read from the same file
/// so the Cli's workers and the dispatcher's "last try" logic behave exactly like the host.
/// </summary>
public sealed record QueueSettings(int BatchSize, int MaxDequeueCount, TimeSpan VisibilityTimeout, TimeSpan MaxPollingInterval)
{
    /// <summary>How long a received message stays hidden while it is handled (a worker that dies gives it back after this).</summary>
    public TimeSpan ProcessingLease { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a send's claim protects it while a worker sends it, before another worker may take it over.</summary>
    public TimeSpan ClaimLease { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How few messages may still be in hand before the next batch is fetched (the host's default: half a batch).</summary>
    public int NewBatchThreshold { get; init; } = BatchSize / 2;

    public static QueueSettings Defaults { get; } = new(16, 5, TimeSpan.Zero, TimeSpan.FromMinutes(1));

    /// <summary>Reads host.json beside the running assembly; the host's defaults where it says nothing.</summary>
    public static QueueSettings FromHostJson(string? path = null)
    {
        path ??= Path.Combine(AppContext.BaseDirectory, "host.json");
        if (!File.Exists(path))
        {
            return Defaults;
        }
        var queues = JsonNode.Parse(File.ReadAllText(path))?["extensions"]?["queues"];
        var settings = new QueueSettings(
            (int?)queues?["batchSize"] ?? Defaults.BatchSize,
            (int?)queues?["maxDequeueCount"] ?? Defaults.MaxDequeueCount,
            TimeSpan.TryParse((string?)queues?["visibilityTimeout"], System.Globalization.CultureInfo.InvariantCulture, out var visibility) ? visibility : Defaults.VisibilityTimeout,
            TimeSpan.TryParse((string?)queues?["maxPollingInterval"], System.Globalization.CultureInfo.InvariantCulture, out var polling) ? polling : Defaults.MaxPollingInterval);
        return (int?)queues?["newBatchThreshold"] is { } threshold ? settings with { NewBatchThreshold = threshold } : settings;
    }
}
