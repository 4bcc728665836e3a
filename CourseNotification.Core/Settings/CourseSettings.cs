namespace CourseNotification.Settings;

/// <summary>
/// A course's own settings, stored in Table Storage; every value left null takes the platform's.
/// </summary>
public sealed record CourseSettings
{
    /// <summary>The course switch: no signal for this course when false.</summary>
    public bool? Enabled { get; init; }
    public bool? CourseEndClosesAccess { get; init; }
    public bool? WelcomeEvenIfAccessed { get; init; }
    public int? FirstCallDays { get; init; }
    public int? SecondCallDays { get; init; }
    public int? InactivityDays { get; init; }
    public int? InactivityRepeatDays { get; init; }
    public int? InactivityMaxRepeats { get; init; }
    /// <summary>Per-signal switches (signal key -> on/off); a signal not named takes the platform's switch.</summary>
    public IReadOnlyDictionary<string, bool>? Signals { get; init; }

    /// <summary>Texts replacing the defaults: signal key -> language -> parts (a part left null keeps the default).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, TemplateText>>? Templates { get; init; }

    /// <summary>The trainers' weekly digest (docs/digest.md); null: the site's settings.</summary>
    public CourseDigest? Digest { get; init; }

    /// <summary>Questionnaire campaigns (docs/questionnaires.md); null: none.</summary>
    public IReadOnlyList<CourseNotification.Questionnaires.Campaign>? Campaigns { get; init; }
}

/// <summary>A course's own text for one signal in one language; Handlebars, with the same placeholders as the defaults.</summary>
public sealed record TemplateText(string? Subject, string? Html, string? Text);
