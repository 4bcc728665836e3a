namespace CourseNotification.Signals;

/// <summary>Instants and local wall-clock times in a time zone, converted one way everywhere.</summary>
public static class Zones
{
    /// <summary>The local date of an instant in a zone.</summary>
    public static DateOnly DayOf(DateTimeOffset instant, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);

    /// <summary>
    /// The instant of a local wall-clock time in a zone: a time skipped by a daylight-saving change moves
    /// forward by the length of the gap (02:30 on the night clocks go from 02:00 to 03:00 is 03:30), a
    /// repeated one takes its first occurrence.
    /// </summary>
    public static DateTimeOffset AtLocal(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            // Read with the offset in force before the gap, then told in the zone's time after it.
            return TimeZoneInfo.ConvertTime(new DateTimeOffset(local, zone.GetUtcOffset(local.AddDays(-1))), zone);
        }
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }
}
