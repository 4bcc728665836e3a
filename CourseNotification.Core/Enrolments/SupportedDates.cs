using System.Globalization;

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

    /// <summary>
    /// An instant given as text (<c>?at=</c>, <c>--at</c>): ISO 8601, UTC when it names no offset, within
    /// the supported dates; otherwise the reason, to show next to the field.
    /// </summary>
    public static bool TryParseInstant(string text, out DateTimeOffset at, out string problem)
    {
        problem = "";
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at))
        {
            problem = $"'{text}' is not an ISO 8601 instant.";
        }
        else if (!Contains(at))
        {
            problem = $"'{text}' is out of range ({Description}).";
        }
        return problem.Length == 0;
    }
}
