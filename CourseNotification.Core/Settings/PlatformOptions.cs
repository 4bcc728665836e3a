using System.ComponentModel.DataAnnotations;
using CourseNotification.Signals;

namespace CourseNotification.Settings;

/// <summary>
/// Platform-wide defaults, bound from the app settings <c>Platform__*</c>.
/// A course may override the signal settings (issue "signal engine"); these are the fallbacks.
/// </summary>
public sealed class PlatformOptions : IValidatableObject
{
    public const string Section = "Platform";

    /// <summary>Master switch: no learner mail at all when off.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Name of the training organisation, as learners know it.</summary>
    [Required(ErrorMessage = "Platform__SiteName: required.")]
    public string SiteName { get; set; } = "Moodle";

    /// <summary>Root URL of the Moodle site (the old plugin's WWWROOT).</summary>
    [Required(ErrorMessage = "Platform__MoodleUrl: required."), Url(ErrorMessage = "Platform__MoodleUrl: not an absolute URL (http:// or https://).")]
    public string MoodleUrl { get; set; } = "http://localhost/moodle";

    /// <summary>Public root URL of this service, used to build links in mails (questionnaires, unsubscribe).</summary>
    [Required(ErrorMessage = "Platform__PublicUrl: required."), Url(ErrorMessage = "Platform__PublicUrl: not an absolute URL (http:// or https://).")]
    public string PublicUrl { get; set; } = "http://127.0.0.1:7071";

    /// <summary>IANA time zone used when a learner has none, or Moodle's "99" (site default).</summary>
    [Required(ErrorMessage = "Platform__TimeZone: required.")]
    public string TimeZone { get; set; } = "Europe/Paris";

    /// <summary>Language used when a learner's Moodle language has no templates.</summary>
    [Required(ErrorMessage = "Platform__DefaultLanguage: required."), RegularExpression("^(fr|en)$", ErrorMessage = "Platform__DefaultLanguage must be fr or en.")]
    public string DefaultLanguage { get; set; } = "fr";

    /// <summary>Local hour (0-23) at which a signal due that day goes out.</summary>
    [Range(0, 23, ErrorMessage = "Platform__SendHour must be an hour from 0 to 23.")]
    public int SendHour { get; set; } = 9;

    /// <summary>Local hour (0-23) at which quiet hours start (nothing is sent from then on).</summary>
    [Range(0, 23, ErrorMessage = "Platform__QuietHoursStart must be an hour from 0 to 23.")]
    public int QuietHoursStart { get; set; } = 20;

    /// <summary>Local hour (0-23) at which quiet hours end.</summary>
    [Range(0, 23, ErrorMessage = "Platform__QuietHoursEnd must be an hour from 0 to 23.")]
    public int QuietHoursEnd { get; set; } = 8;

    /// <summary>Comma-separated Moodle role short names that make someone a learner.</summary>
    [Required(ErrorMessage = "Platform__LearnerRoles: required.")]
    public string LearnerRoles { get; set; } = "student";

    public IReadOnlySet<string> LearnerRoleSet =>
        LearnerRoles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
        {
            yield return new ValidationResult($"Platform__TimeZone: \"{TimeZone}\" is not a known IANA time zone (e.g. Europe/Paris).", [nameof(TimeZone)]);
        }
        if (Hours.IsQuiet(SendHour))
        {
            yield return new ValidationResult(
                $"Platform__SendHour {SendHour} falls inside the quiet hours {QuietHoursStart}:00-{QuietHoursEnd}:00: nothing would ever be sent.",
                [nameof(SendHour)]);
        }
        if (LearnerRoleSet.Count == 0)
        {
            yield return new ValidationResult("Platform__LearnerRoles names no role.", [nameof(LearnerRoles)]);
        }
    }

    public SendHours Hours => new(SendHour, QuietHoursStart, QuietHoursEnd);
}
