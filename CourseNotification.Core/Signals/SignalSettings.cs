using CourseNotification.Settings;

namespace CourseNotification.Signals;

/// <summary>
/// The effective settings the engine decides with, for one course: the platform's app settings, with
/// the course's own values where it has them.
/// </summary>
public sealed record SignalSettings
{
    public bool PlatformEnabled { get; init; } = true;
    public bool CourseEnabled { get; init; } = true;
    public required TimeZoneInfo SiteZone { get; init; }
    public SendHours Hours { get; init; } = new(9, 20, 8);
    public required IReadOnlySet<string> LearnerRoles { get; init; }
    public bool WelcomeEnabled { get; init; } = true;
    public bool WelcomeEvenIfAccessed { get; init; }
    /// <summary>Days after its day during which a missed welcome may still go out.</summary>
    public int WelcomeCatchUpDays { get; init; } = 7;

    public static SignalSettings FromPlatform(PlatformOptions platform) => new()
    {
        PlatformEnabled = platform.Enabled,
        SiteZone = TimeZones.FindOrThrow(platform.TimeZone),
        Hours = platform.Hours,
        LearnerRoles = platform.LearnerRoleSet,
        WelcomeEnabled = platform.WelcomeEnabled,
        WelcomeEvenIfAccessed = platform.WelcomeEvenIfAccessed,
    };
}
