using System.Globalization;

namespace CourseNotification.Reports;

/// <summary>
/// The report's figures as CSV for those who build their own dashboards: one figure per line,
/// <c>section,course_id,course,question,metric,value</c>; shares as decimals (0.85), invariant culture.
/// </summary>
public static class ReportCsv
{
    public static async Task WriteAsync(QualiopiReport report, TextWriter output)
    {
        await output.WriteLineAsync("section,course_id,course,question,metric,value");
        async Task Line(string section, CourseFigures? course, string question, string metric, object? value)
        {
            var text = value switch
            {
                null => "",
                double d => d.ToString("0.####", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? "",
            };
            await output.WriteLineAsync(string.Join(',', section, course?.CourseId.ToString(CultureInfo.InvariantCulture) ?? "", Quote(course?.Name ?? ""), Quote(question), metric, Quote(text)));
        }

        foreach (var (section, participation, headline) in new[] { ("period", report.Participation, report.Headline), ("previous_period", report.PreviousParticipation, report.PreviousHeadline) })
        {
            await Line(section, null, "", "invited", participation.Invited);
            await Line(section, null, "", "reminded", participation.Reminded);
            await Line(section, null, "", "answered", participation.Answered);
            await Line(section, null, "", "response_rate", participation.ResponseRate);
            await Line(section, null, "", "satisfaction_rate", headline.SatisfactionRate);
            await Line(section, null, "", "mean_score", headline.MeanScore);
            await Line(section, null, "", "nps", headline.Nps);
        }
        foreach (var question in report.Questions)
        {
            await Line("question", null, question.Id, "count", question.Count);
            await Line("question", null, question.Id, "mean", question.Mean);
            await Line("question", null, question.Id, "satisfied", question.Satisfied);
            await Line("question", null, question.Id, "nps", question.Nps);
            foreach (var bar in question.Distribution)
            {
                await Line("question", null, question.Id, "answers:" + bar.Value, bar.Count);
            }
        }
        foreach (var course in report.Breakdown)
        {
            await Line("course", course, "", "invited", course.Participation.Invited);
            await Line("course", course, "", "answered", course.Participation.Answered);
            await Line("course", course, "", "response_rate", course.Participation.ResponseRate);
            await Line("course", course, "", "satisfaction_rate", course.Headline.SatisfactionRate);
            await Line("course", course, "", "mean_score", course.Headline.MeanScore);
            foreach (var question in course.Questions)
            {
                await Line("course_question", course, question.Id, "satisfied", question.Satisfied);
                await Line("course_question", course, question.Id, "mean", question.Mean);
            }
        }
        foreach (var comment in report.Comments)
        {
            await output.WriteLineAsync(string.Join(',', "comment", comment.CourseId.ToString(CultureInfo.InvariantCulture), Quote(comment.Course), Quote(comment.Question),
                comment.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Quote(comment.Text)));
        }
    }

    /// <summary>RFC 4180 quoting; a leading =, +, - or @ is neutralised so a spreadsheet does not run it as a formula.</summary>
    private static string Quote(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            value = "'" + value;
        }
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
