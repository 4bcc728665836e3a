using System.ComponentModel.DataAnnotations;

namespace CourseNotification.Settings;

/// <summary>
/// Platform defaults of every signal, bound from <c>Signals__*</c> (e.g. <c>Signals__FirstCall__Days</c>).
/// A course may override each of them (<see cref="CourseSettings"/>).
/// </summary>
public sealed class SignalOptions : IValidatableObject
{
    public const string Section = "Signals";

    /// <summary>The course end date closes access (spec: default on).</summary>
    public bool CourseEndClosesAccess { get; set; } = true;

    public WelcomeOptions Welcome { get; set; } = new();
    public DaysOptions FirstCall { get; set; } = new() { Days = 7 };
    public DaysOptions SecondCall { get; set; } = new() { Days = 15 };
    public SwitchOptions End15 { get; set; } = new();
    public SwitchOptions End7 { get; set; } = new();
    public SwitchOptions End5 { get; set; } = new();
    public SwitchOptions End3 { get; set; } = new();
    public SwitchOptions End1 { get; set; } = new();
    public SwitchOptions Closed { get; set; } = new();
    public SwitchOptions Completed { get; set; } = new();
    public InactivityOptions Inactive { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        SignalRules.Problems(FirstCall.Days, SecondCall.Days, Inactive.Days, Inactive.RepeatDays, Inactive.MaxRepeats)
            .Select(p => new ValidationResult($"Signals__{p.Setting}: {p.Message}", [p.Setting]));

    /// <summary>The switches by signal key, in <see cref="Signals.SignalKeys.All"/> order.</summary>
    public IReadOnlyList<bool> Switches => [.. Signals.SignalKeys.All.Select(signal => SwitchOf(signal).Enabled)];

    private SwitchOptions SwitchOf(string signal) => signal switch
    {
        Signals.SignalKeys.Welcome => Welcome,
        Signals.SignalKeys.FirstCall => FirstCall,
        Signals.SignalKeys.SecondCall => SecondCall,
        Signals.SignalKeys.End15 => End15,
        Signals.SignalKeys.End7 => End7,
        Signals.SignalKeys.End5 => End5,
        Signals.SignalKeys.End3 => End3,
        Signals.SignalKeys.End1 => End1,
        Signals.SignalKeys.Closed => Closed,
        Signals.SignalKeys.Completed => Completed,
        Signals.SignalKeys.Inactive => Inactive,
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "not a built-in signal"),
    };
}

public class SwitchOptions
{
    public bool Enabled { get; set; } = true;
}

public sealed class WelcomeOptions : SwitchOptions
{
    /// <summary>Send the welcome even to a learner who already opened the course.</summary>
    public bool EvenIfAccessed { get; set; }
}

public sealed class DaysOptions : SwitchOptions
{
    /// <summary>Days after work start.</summary>
    public int Days { get; set; }
}

public sealed class InactivityOptions : SwitchOptions
{
    /// <summary>Idle days after the last course access before the first alert.</summary>
    public int Days { get; set; } = 14;

    /// <summary>Days between two alerts of one inactivity spell.</summary>
    public int RepeatDays { get; set; } = 7;

    /// <summary>Alerts at most per inactivity spell (the first included).</summary>
    public int MaxRepeats { get; set; } = 3;
}

/// <summary>The ranges day counts must respect, checked at start (app settings) and on save (course settings).</summary>
public static class SignalRules
{
    public const int MaxDays = 365;

    public const int MaxAlerts = 20;

    /// <summary>What is wrong with these day counts, each naming its setting, in <paramref name="words"/> (English when not given).</summary>
    public static IEnumerable<(string Setting, string Message)> Problems(int firstCallDays, int secondCallDays, int inactivityDays, int repeatDays, int maxRepeats, ProblemWords? words = null)
    {
        var w = words ?? ProblemWords.English;
        if (firstCallDays is < 1 or > MaxDays)
        {
            yield return ("FirstCall__Days", ProblemWords.Format(w.DaysFromTo, firstCallDays, 1, MaxDays));
        }
        if (secondCallDays is < 1 or > MaxDays || secondCallDays <= firstCallDays)
        {
            yield return ("SecondCall__Days", ProblemWords.Format(w.SecondCallDays, secondCallDays, MaxDays, firstCallDays));
        }
        if (inactivityDays is < 1 or > MaxDays)
        {
            yield return ("Inactive__Days", ProblemWords.Format(w.DaysFromTo, inactivityDays, 1, MaxDays));
        }
        if (repeatDays is < 2 or > MaxDays)
        {
            yield return ("Inactive__RepeatDays", ProblemWords.Format(w.RepeatDays, repeatDays, MaxDays));
        }
        if (maxRepeats is < 1 or > MaxAlerts)
        {
            yield return ("Inactive__MaxRepeats", ProblemWords.Format(w.MaxRepeats, maxRepeats, MaxAlerts));
        }
    }
}
