using System.Globalization;
using CourseNotification.Templates;

namespace CourseNotification.Reports;

/// <summary>The words and number formats of a report, in French (default) or English.</summary>
internal sealed class ReportText(string lang)
{
    private readonly bool _fr = lang == "fr";

    public CultureInfo Culture { get; } = Languages.Culture(lang);

    public string Word(string fr, string en) => _fr ? fr : en;

    public string Title(string kind) => kind == "cold"
        ? Word("Rapport Qualiopi – évaluation à froid", "Qualiopi report – follow-up evaluation")
        : Word("Rapport Qualiopi – évaluation à chaud", "Qualiopi report – end-of-course evaluation");

    public string Day(DateOnly day) => day.ToString("d MMMM yyyy", Culture);

    public string Period(ReportScope scope) => Word($"du {Day(scope.From)} au {Day(scope.To)}", $"from {Day(scope.From)} to {Day(scope.To)}");

    public string Count(int n) => n.ToString("N0", Culture);

    /// <summary>A share as a whole percentage ("85 %" in French, "85%" in English); a dash when there is nothing to divide.</summary>
    public string Percent(double? share) => share is { } s
        ? (_fr ? $"{(s * 100).ToString("0", Culture)}\u202F%" : $"{(s * 100).ToString("0", Culture)}%")
        : "–";

    public string Mean(double? mean, int of) => mean is { } m ? $"{m.ToString("0.0", Culture)} / {of}" : "–";

    public string Nps(double? nps) => nps is { } n ? n.ToString("+0;-0;0", Culture) : "–";

    /// <summary>How a change from the previous period is written.</summary>
    public enum Change
    {
        /// <summary>A share, in percentage points: "+5 pts".</summary>
        Points,
        /// <summary>A mean: "+0,3".</summary>
        Tenths,
        /// <summary>An NPS: "+12".</summary>
        Whole,
    }

    /// <summary>The change from the previous period, signed; a dash when either side has no value.</summary>
    public string Trend(double? current, double? previous, Change change)
    {
        if (current is not { } c || previous is not { } p)
        {
            return "–";
        }
        return change switch
        {
            Change.Points => $"{((c - p) * 100).ToString("+0;-0;0", Culture)} pts",
            Change.Tenths => (c - p).ToString("+0.0;-0.0;0.0", Culture),
            _ => (c - p).ToString("+0;-0;0", Culture),
        };
    }

    /// <summary>"0 réponse", "3 réponses"; "0 answers", "1 answer" (French counts 0 and 1 as singular).</summary>
    public string Plural(int n, string fr, string en) => $"{Count(n)} {Word(fr, en)}{((_fr ? n <= 1 : n == 1) ? "" : "s")}";
}
