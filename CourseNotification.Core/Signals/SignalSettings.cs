using CourseNotification.Questionnaires;
using CourseNotification.Settings;

namespace CourseNotification.Signals;

/// <summary>
/// The effective settings the engine decides with, for one course: the platform's app settings, with
/// the course's own values where it has them. Immutable; built once per course and scan.
/// </summary>
public sealed record SignalSettings
{
    /// <summary>Catch-up window of welcome, secondcall, closed and completed (docs/signals.md).</summary>
    public const int CatchUpDays = 7;

    /// <summary>Catch-up window of an inactivity alert.</summary>
    public const int InactivityCatchUpDays = 1;

    private readonly bool[] _switches = [.. Enumerable.Repeat(true, SignalKeys.All.Count)];
    private readonly IReadOnlyList<Campaign> _campaigns = [];

    public bool PlatformEnabled { get; init; } = true;
    public bool CourseEnabled { get; init; } = true;
    public required TimeZoneInfo SiteZone { get; init; }
    public SendHours Hours { get; init; } = new(9, 20, 8);
    public required IReadOnlySet<string> LearnerRoles { get; init; }
    public bool CourseEndClosesAccess { get; init; } = true;
    public bool WelcomeEvenIfAccessed { get; init; }
    public int FirstCallDays { get; init; } = 7;
    public int SecondCallDays { get; init; } = 15;
    public int InactivityDays { get; init; } = 14;
    public int InactivityRepeatDays { get; init; } = 7;
    public int InactivityMaxRepeats { get; init; } = 3;

    /// <summary>The trainers' weekly digest of this course (docs/digest.md).</summary>
    public DigestSchedule Digest { get; init; } = DigestSchedule.Default;

    /// <summary>The course's own texts (signal -> language -> parts); empty: the defaults.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, TemplateText>> Templates { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, TemplateText>>();

    /// <summary>The course's questionnaire campaigns; each adds its invitation and reminders as signals (<see cref="Rules"/>).</summary>
    public IReadOnlyList<Campaign> Campaigns
    {
        get => _campaigns;
        init
        {
            _campaigns = value;
            Rules = [.. value.SelectMany(CampaignRule.For)];
        }
    }

    /// <summary>The signals decided outside the engine's built-in ones (the campaigns'), in order.</summary>
    public IReadOnlyList<ISignalRule> Rules { get; private init; } = [];

    /// <summary>Every signal this course may send: the built-in ones switched on, then the campaigns' signals.</summary>
    public IEnumerable<string> EnabledSignals =>
        SignalKeys.All.Where(IsEnabled).Concat(_campaigns.Where(c => c.Enabled).SelectMany(c => c.Signals));

    /// <summary>The signal switches, in <see cref="SignalKeys.All"/> order.</summary>
    public IReadOnlyList<bool> Switches
    {
        get => _switches;
        init => _switches = value.Count == SignalKeys.All.Count
            ? [.. value]
            : throw new ArgumentException($"Expected {SignalKeys.All.Count} switches.", nameof(value));
    }

    public bool IsEnabled(int signalIndex) => _switches[signalIndex];

    public bool IsEnabled(string signal) => SignalKeys.IndexOf(signal) is var i and >= 0
        ? _switches[i]
        : QuestionnaireSignals.Parse(signal) is { } q && _campaigns.Any(c => c.Id == q.Campaign && c.Enabled && q.Reminder <= c.ReminderDays.Count);

    /// <summary>A copy with one signal switched on or off.</summary>
    public SignalSettings WithSwitch(string signal, bool enabled)
    {
        var switches = _switches.ToArray();
        switches[SignalKeys.IndexOf(signal)] = enabled;
        return this with { Switches = switches };
    }

    public static SignalSettings FromPlatform(PlatformOptions platform, SignalOptions signals) => new()
    {
        PlatformEnabled = platform.Enabled,
        SiteZone = TimeZones.FindOrThrow(platform.TimeZone),
        Hours = platform.Hours,
        LearnerRoles = platform.LearnerRoleSet,
        CourseEndClosesAccess = signals.CourseEndClosesAccess,
        WelcomeEvenIfAccessed = signals.Welcome.EvenIfAccessed,
        FirstCallDays = signals.FirstCall.Days,
        SecondCallDays = signals.SecondCall.Days,
        InactivityDays = signals.Inactive.Days,
        InactivityRepeatDays = signals.Inactive.RepeatDays,
        InactivityMaxRepeats = signals.Inactive.MaxRepeats,
        Switches = signals.Switches,
    };

    /// <summary>The course's values where it has them, these otherwise.</summary>
    public SignalSettings For(CourseSettings? course)
    {
        if (course is null)
        {
            return this;
        }
        var switches = _switches.ToArray();
        foreach (var (signal, enabled) in course.Signals ?? new Dictionary<string, bool>())
        {
            if (SignalKeys.IndexOf(signal) is var i and >= 0)
            {
                switches[i] = enabled;
            }
        }
        return this with
        {
            CourseEnabled = course.Enabled ?? CourseEnabled,
            CourseEndClosesAccess = course.CourseEndClosesAccess ?? CourseEndClosesAccess,
            WelcomeEvenIfAccessed = course.WelcomeEvenIfAccessed ?? WelcomeEvenIfAccessed,
            FirstCallDays = course.FirstCallDays ?? FirstCallDays,
            SecondCallDays = course.SecondCallDays ?? SecondCallDays,
            InactivityDays = course.InactivityDays ?? InactivityDays,
            InactivityRepeatDays = course.InactivityRepeatDays ?? InactivityRepeatDays,
            InactivityMaxRepeats = course.InactivityMaxRepeats ?? InactivityMaxRepeats,
            Switches = switches,
            Templates = course.Templates ?? Templates,
            Campaigns = course.Campaigns ?? Campaigns,
            Digest = Digest.For(course.Digest),
        };
    }
}
