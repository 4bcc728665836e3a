using System.Collections.Concurrent;

namespace CourseNotification.Signals;

/// <summary>Resolves a learner's Moodle time zone, falling back to the site zone for "99", empty or unknown names.</summary>
public static class TimeZones
{
    /// <summary>Moodle's "use the site default" value.</summary>
    public const string MoodleSiteDefault = "99";

    private static readonly ConcurrentDictionary<string, TimeZoneInfo?> Cache = new(StringComparer.Ordinal);

    public static TimeZoneInfo Resolve(string? learnerZone, TimeZoneInfo siteZone)
    {
        if (string.IsNullOrWhiteSpace(learnerZone) || learnerZone == MoodleSiteDefault)
        {
            return siteZone;
        }
        return Cache.GetOrAdd(learnerZone, static name => TimeZoneInfo.TryFindSystemTimeZoneById(name, out var zone) ? zone : null)
            ?? siteZone;
    }

    public static TimeZoneInfo FindOrThrow(string name) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(name, out var zone)
            ? zone
            : throw new ArgumentException($"'{name}' is not a known IANA time zone.", nameof(name));
}
