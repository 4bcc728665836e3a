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
/// Calendar arithmetic in one learner's time zone, as of one instant: whole local days, the send hour and
/// quiet hours, so "7 days after" is the same local date + 7 across daylight-saving changes. The local
/// time of "now" is computed once.
/// </summary>
public readonly struct LearnerCalendar
{
    private readonly TimeZoneInfo _zone;
    private readonly SendHours _hours;
    private readonly DateTimeOffset _now;
    private readonly DateTime _localNow;

    public LearnerCalendar(TimeZoneInfo zone, SendHours hours, DateTimeOffset now)
    {
        _zone = zone;
        _hours = hours;
        _now = now;
        _localNow = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        Today = DateOnly.FromDateTime(_localNow);
    }

    /// <summary>The learner's local date at the instant this calendar was made for.</summary>
    public DateOnly Today { get; }

    public DateOnly LocalDate(DateTimeOffset instant) => Zones.DayOf(instant, _zone);

    /// <summary>The instant of a local wall-clock hour on a local day; a time skipped by DST moves forward, a repeated one takes its first occurrence.</summary>
    public DateTimeOffset At(DateOnly day, int hour) => Zones.AtLocal(day.ToDateTime(new TimeOnly(hour, 0)), _zone);

    /// <summary>
    /// A send that may go out on the local days <paramref name="first"/> to <paramref name="last"/>
    /// (its day and its catch-up days), not before <paramref name="notBefore"/>: due at or after the send
    /// hour and outside quiet hours on one of those days; scheduled before; missed once no allowed moment
    /// is left.
    /// </summary>
    public Slot Slot(DateOnly first, DateOnly last, DateTimeOffset? notBefore = null)
    {
        if (_now < notBefore)
        {
            var then = SlotAt(first, last, TimeZoneInfo.ConvertTime(notBefore.Value, _zone).DateTime, notBefore.Value);
            return then.Kind == SlotKind.Missed ? then : new Slot(SlotKind.Scheduled, then.At);
        }
        return SlotAt(first, last, _localNow, _now);
    }

    private Slot SlotAt(DateOnly first, DateOnly last, DateTime local, DateTimeOffset instant)
    {
        var today = DateOnly.FromDateTime(local);
        if (today < first)
        {
            return new Slot(SlotKind.Scheduled, At(first, _hours.SendHour));
        }
        if (today > last)
        {
            return new Slot(SlotKind.Missed, null);
        }
        if (local.Hour < _hours.SendHour)
        {
            return new Slot(SlotKind.Scheduled, At(today, _hours.SendHour));
        }
        if (_hours.IsQuiet(local.Hour))
        {
            var tomorrow = today.AddDays(1);
            return tomorrow <= last ? new Slot(SlotKind.Scheduled, At(tomorrow, _hours.SendHour)) : new Slot(SlotKind.Missed, null);
        }
        return new Slot(SlotKind.Due, instant);
    }
}
