using System.Collections.Concurrent;
using System.Diagnostics;

namespace CourseNotification.Storage;

/// <summary>
/// Values read from storage kept for a short while (real time, not the service clock), so a burst of
/// sends for one course reads the course and its settings once; a change shows within the lifetime.
/// </summary>
public sealed class ShortCache<TKey, TValue>(TimeSpan lifetime) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, (TValue Value, long Expires)> _entries = new();

    public void Forget(TKey key) => _entries.TryRemove(key, out _);

    public async Task<TValue> GetAsync(TKey key, Func<TKey, Task<TValue>> load)
    {
        var now = Stopwatch.GetTimestamp();
        if (_entries.TryGetValue(key, out var entry) && entry.Expires > now)
        {
            return entry.Value;
        }
        var value = await load(key);
        _entries[key] = (value, now + (long)(lifetime.TotalSeconds * Stopwatch.Frequency));
        return value;
    }
}
