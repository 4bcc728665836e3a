namespace CourseNotification.Signals;

/// <summary>The stable signal keys of docs/signals.md: settings, templates, ledger and API all use them.</summary>
public static class SignalKeys
{
    public const string Welcome = "welcome";
    public const string FirstCall = "firstcall";
    public const string SecondCall = "secondcall";
    public const string End15 = "end15";
    public const string End7 = "end7";
    public const string End5 = "end5";
    public const string End3 = "end3";
    public const string End1 = "end1";
    public const string Closed = "closed";
    public const string Completed = "completed";
    public const string Inactive = "inactive";

    /// <summary>Every built-in signal, in the order the engine returns its decisions.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Welcome, FirstCall, SecondCall, End15, End7, End5, End3, End1, Closed, Completed, Inactive];

    /// <summary>The end reminders, farthest first, with their number of days before the access end.</summary>
    public static IReadOnlyList<(string Signal, int DaysBefore)> EndReminders { get; } =
        [(End15, 15), (End7, 7), (End5, 5), (End3, 3), (End1, 1)];

    private static readonly System.Collections.Frozen.FrozenDictionary<string, int> Positions =
        System.Collections.Frozen.FrozenDictionary.ToFrozenDictionary(All.Select((signal, position) => KeyValuePair.Create(signal, position)), StringComparer.Ordinal);

    /// <summary>Position of a built-in signal in <see cref="All"/>, or -1: the one place positions come from.</summary>
    public static int IndexOf(string signal) => Positions.TryGetValue(signal, out var position) ? position : -1;
}
