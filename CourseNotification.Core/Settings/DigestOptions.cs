using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json.Serialization;

namespace CourseNotification.Settings;

/// <summary>
/// Site-wide defaults of the trainers' weekly digest (docs/digest.md), bound from <c>Digest__*</c>
/// (e.g. <c>Digest__Enabled=true</c>, <c>Digest__Day=Monday</c>, <c>Digest__Hour=8</c>); a course may
/// override each (<see cref="CourseDigest"/>).
/// </summary>
public sealed class DigestOptions : IValidatableObject
{
    public const string Section = "Digest";

    /// <summary>Off by default: a site turns it on for every course, or a course for itself.</summary>
    public bool Enabled { get; set; }

    /// <summary>Moodle role short names of the people who receive it, comma-separated: the course's teachers by default.</summary>
    public string Roles { get; set; } = "editingteacher,teacher";

    /// <summary>The weekday it goes out, in each recipient's own time zone.</summary>
    public DayOfWeek Day { get; set; } = DayOfWeek.Monday;

    /// <summary>The hour (0 to 23) it goes out, in each recipient's own time zone.</summary>
    public int Hour { get; set; } = 8;

    /// <summary>Send it also in a week with nothing to report (off: nothing is sent then).</summary>
    public bool SendWhenEmpty { get; set; }

    public DigestSchedule Schedule => new(Enabled, DigestSchedule.RoleSet(Roles.Split(',')), Day, Hour, SendWhenEmpty);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        DigestSchedule.Problems(Roles.Split(','), Day, Hour).Select(p => new ValidationResult($"Digest__{p.Setting}: {p.Message}", [p.Setting]));
}

/// <summary>A course's own digest settings; every value left null takes the site's (<see cref="DigestOptions"/>).</summary>
public sealed record CourseDigest
{
    public bool? Enabled { get; init; }
    public IReadOnlyList<string>? Roles { get; init; }
    [JsonConverter(typeof(JsonStringEnumConverter<DayOfWeek>))]
    public DayOfWeek? Day { get; init; }
    public int? Hour { get; init; }
    public bool? SendWhenEmpty { get; init; }

    /// <summary>Everything wrong, each naming its field under <c>digest.</c>.</summary>
    public IEnumerable<(string Field, string Message)> Problems() =>
        DigestSchedule.Problems(Roles, Day, Hour).Select(p => ("digest." + char.ToLowerInvariant(p.Setting[0]) + p.Setting[1..], p.Message));
}

/// <summary>The effective digest settings of a course: the site's, with the course's own values where it has them.</summary>
public sealed record DigestSchedule(bool Enabled, IReadOnlySet<string> Roles, DayOfWeek Day, int Hour, bool SendWhenEmpty)
{
    public static DigestSchedule Default { get; } = new DigestOptions().Schedule;

    public DigestSchedule For(CourseDigest? course) => course is null ? this : new(
        course.Enabled ?? Enabled,
        course.Roles is { } roles ? RoleSet(roles) : Roles,
        course.Day ?? Day,
        course.Hour ?? Hour,
        course.SendWhenEmpty ?? SendWhenEmpty);

    internal static IReadOnlySet<string> RoleSet(IEnumerable<string?> roles) =>
        roles.Select(r => r?.Trim()).Where(r => !string.IsNullOrEmpty(r)).Select(r => r!).ToHashSet(StringComparer.Ordinal);

    /// <summary>The problems of the values given (null: not given), each naming its setting.</summary>
    internal static IEnumerable<(string Setting, string Message)> Problems(IEnumerable<string?>? roles, DayOfWeek? day, int? hour)
    {
        if (roles is not null && RoleSet(roles).Count == 0)
        {
            yield return ("Roles", "name at least one Moodle role (short names such as editingteacher, teacher, manager).");
        }
        if (day is { } d && !Enum.IsDefined(d))
        {
            yield return ("Day", "a weekday, Monday to Sunday.");
        }
        if (hour is < 0 or > 23)
        {
            yield return ("Hour", $"an hour from 0 to 23 (in each recipient's own time zone), not {hour.Value.ToString(CultureInfo.InvariantCulture)}.");
        }
    }
}
