namespace CourseNotification.Enrolments;

/// <summary>
/// The dates and instants this service accepts from outside (events, snapshots, CSV, <c>?at=</c>): from
/// 1970 to the year 9000, so that every computation on them (reminders days before an end, repeats after
/// an access) stays far inside what a <see cref="DateTimeOffset"/> can hold.
/// </summary>
public static class SupportedDates
{
    public const string Description = "a date from 1970 to 8999 is expected";

    private static readonly DateTimeOffset First = DateTimeOffset.UnixEpoch;
    private static readonly DateTimeOffset Last = new(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static bool Contains(DateTimeOffset date) => date >= First && date < Last;

    /// <summary>Unix seconds as a date, when in range.</summary>
    public static bool TryFromUnix(long seconds, out DateTimeOffset date)
    {
        var inRange = seconds >= 0 && seconds < Last.ToUnixTimeSeconds();
        date = inRange ? DateTimeOffset.FromUnixTimeSeconds(seconds) : default;
        return inRange;
    }
}
