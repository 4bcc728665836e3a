using CourseNotification.Questionnaires;

namespace CourseNotification.Reports;

/// <summary>What a report covers: courses (empty: all), the days [From, To] in the site's time zone, a questionnaire, a campaign or all of them, a language.</summary>
public sealed record ReportScope(IReadOnlyList<long> Courses, DateOnly From, DateOnly To, string Questionnaire, string? Campaign, string Lang)
{
    /// <summary>The period of the same length just before this one (the trend's reference).</summary>
    public ReportScope Previous()
    {
        var days = To.DayNumber - From.DayNumber + 1;
        return this with { From = From.AddDays(-days), To = From.AddDays(-1) };
    }
}

/// <summary>Invited (invitations sent), reminded (invitations that needed at least one reminder), answered (answers received), and their ratio.</summary>
public sealed record Participation(int Invited, int Reminded, int Answered)
{
    /// <summary>Answered / invited, or null when nobody was invited.</summary>
    public double? ResponseRate => Invited == 0 ? null : (double)Answered / Invited;
}

/// <summary>
/// The headline figures: share of 1-5 scale answers in the top two boxes, their mean, and the NPS of the
/// 0-10 questions (null when there is no such answer).
/// </summary>
public sealed record Headline(double? SatisfactionRate, double? MeanScore, double? Nps);

/// <summary>One bar of a distribution: the answer as the learner saw it, and how many gave it.</summary>
public sealed record Bar(string Value, string Label, int Count);

/// <summary>
/// The figures of one question: how many answered it, the distribution, and for scales the mean and the
/// share satisfied (4 or 5 of 5); for 0-10 questions the mean and the NPS.
/// </summary>
public sealed record QuestionFigures(
    string Id, string Label, QuestionType Type, int Count, IReadOnlyList<Bar> Distribution, double? Mean, double? Satisfied, double? Nps);

/// <summary>A scale question of one course, for the breakdown (worst first).</summary>
public sealed record CourseQuestion(string Id, string Label, int Count, double? Mean, double? Satisfied);

/// <summary>One course's participation and satisfaction, its scale questions worst first.</summary>
public sealed record CourseFigures(long CourseId, string Name, Participation Participation, Headline Headline, IReadOnlyList<CourseQuestion> Questions);

/// <summary>A free comment, with names, addresses and numbers taken out.</summary>
public sealed record Comment(long CourseId, string Course, DateOnly Day, string Question, string Text);

/// <summary>A course in the report's scope.</summary>
public sealed record CourseRef(long Id, string Name);

/// <summary>The Qualiopi report of docs/questionnaires.md: every figure of its sections, for the PDF, JSON and CSV alike.</summary>
public sealed record QualiopiReport(
    string Organisation,
    ReportScope Scope,
    string QuestionnaireTitle,
    string Kind,
    DateTimeOffset GeneratedAt,
    IReadOnlyList<CourseRef> Courses,
    Participation Participation,
    Headline Headline,
    Participation PreviousParticipation,
    Headline PreviousHeadline,
    IReadOnlyList<QuestionFigures> Questions,
    IReadOnlyList<CourseFigures> Breakdown,
    IReadOnlyList<Comment> Comments);
