namespace CourseNotification.Signals;

/// <summary>The stable signal keys of spec/signals.md: settings, templates, ledger and API all use them.</summary>
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

    public static IReadOnlyList<string> All { get; } =
        [Welcome, FirstCall, SecondCall, End15, End7, End5, End3, End1, Closed, Completed, Inactive];
}
