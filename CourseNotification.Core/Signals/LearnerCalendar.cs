namespace CourseNotification.Signals;

/// <summary>When sends may go out each local day: the send hour, and quiet hours that may span midnight.</summary>
public readonly record struct SendHours(int SendHour, int QuietStart, int QuietEnd)
{
    public bool IsQuiet(int hour) => QuietStart != QuietEnd && (QuietStart < QuietEnd
        ? hour >= QuietStart && hour < QuietEnd
        : hour >= QuietStart || hour < QuietEnd);
}

public enum SlotKind
{
    Scheduled,
    Due,
    Missed,
}

/// <summary>Where a send stands at an instant: scheduled (for <see cref="At"/>), due now, or missed.</summary>
public readonly record struct Slot(SlotKind Kind, DateTimeOffset? At);

/// <summary>
/// Calendar arithmetic in one learner's time zone: whole local days, the send hour and quiet hours, so
/// "7 days after" is the same local date + 7 across daylight-saving changes.
/// </summary>
public readonly struct LearnerCalendar(TimeZoneInfo zone, SendHours hours)
{
    public TimeZoneInfo Zone => zone;

    public DateOnly LocalDate(DateTimeOffset instant) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);

    /// <summary>The instant of a local wall-clock hour on a local day; a time skipped by DST moves forward, a repeated one takes its first occurrence.</summary>
    public DateTimeOffset At(DateOnly day, int hour)
    {
        var local = day.ToDateTime(new TimeOnly(hour, 0));
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }

    /// <summary>
    /// A send that may go out on the local days <paramref name="first"/> to <paramref name="last"/>
    /// (its day and its catch-up days), not before <paramref name="notBefore"/>: due at or after the send
    /// hour and outside quiet hours on one of those days; scheduled before; missed once no allowed moment
    /// is left.
    /// </summary>
    public Slot Slot(DateOnly first, DateOnly last, DateTimeOffset instant, DateTimeOffset? notBefore = null)
    {
        if (instant < notBefore)
        {
            var then = Slot(first, last, notBefore.Value);
            return then.Kind == SlotKind.Missed ? then : new Slot(SlotKind.Scheduled, then.At);
        }
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        var today = DateOnly.FromDateTime(local.DateTime);
        if (today < first)
        {
            return new Slot(SlotKind.Scheduled, At(first, hours.SendHour));
        }
        if (today > last)
        {
            return new Slot(SlotKind.Missed, null);
        }
        if (local.Hour < hours.SendHour)
        {
            return new Slot(SlotKind.Scheduled, At(today, hours.SendHour));
        }
        if (hours.IsQuiet(local.Hour))
        {
            var tomorrow = today.AddDays(1);
            return tomorrow <= last ? new Slot(SlotKind.Scheduled, At(tomorrow, hours.SendHour)) : new Slot(SlotKind.Missed, null);
        }
        return new Slot(SlotKind.Due, instant);
    }
}
