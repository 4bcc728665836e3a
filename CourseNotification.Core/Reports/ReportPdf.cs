using CourseNotification.Questionnaires;
using SkiaSharp;

namespace CourseNotification.Reports;

/// <summary>
/// The Qualiopi report as an A4 PDF, in the sections of docs/questionnaires.md: cover; participation;
/// headline indicators with the trend; one section per question with its bar chart; the breakdown per
/// course when there are several; the free comments, anonymised; the period and page numbers in every
/// footer. Long comments and many courses flow onto further pages.
/// </summary>
public static class ReportPdf
{
    private static readonly float[] FigureColumns = [0.46f, 0.18f, 0.18f, 0.18f];
    private static readonly float[] CourseColumns = [0.64f, 0.18f, 0.18f];
    private static readonly SKColor Ink = new(0x1F, 0x29, 0x37), Muted = new(0x6B, 0x72, 0x80), Accent = new(0x1D, 0x4E, 0xD8);

    public static void Write(QualiopiReport report, Stream output)
    {
        var text = new ReportText(report.Scope.Lang);
        var pages = new PdfPages();
        var section = 0;
        string Next(string fr, string en) => $"{++section}. {text.Word(fr, en)}";

        Cover(pages, report, text);

        Heading(pages, Next("Participation", "Participation"));
        var columns = FigureColumns.Select(w => w * PdfPages.ContentWidth).ToArray();
        pages.Row([text.Word("Indicateur", "Indicator"), text.Word("Période", "Period"), text.Word("Précédente", "Previous"), text.Word("Évolution", "Change")], columns, ReportFonts.Bold, 10, Ink, rule: true);
        var (now, before) = (report.Participation, report.PreviousParticipation);
        pages.Row([text.Word("Apprenants invités", "Learners invited"), text.Count(now.Invited), text.Count(before.Invited), ""], columns, ReportFonts.Regular, 10, Ink, rule: true);
        pages.Row([text.Word("Apprenants relancés", "Learners reminded"), text.Count(now.Reminded), text.Count(before.Reminded), ""], columns, ReportFonts.Regular, 10, Ink, rule: true);
        pages.Row([text.Word("Réponses reçues", "Answers received"), text.Count(now.Answered), text.Count(before.Answered), ""], columns, ReportFonts.Regular, 10, Ink, rule: true);
        pages.Row([text.Word("Taux de réponse", "Response rate"), text.Percent(now.ResponseRate), text.Percent(before.ResponseRate), text.Trend(now.ResponseRate, before.ResponseRate, ReportText.Change.Points)], columns, ReportFonts.Bold, 10, Ink, rule: true);
        pages.Space(6);
        pages.Paragraph(text.Word(
            $"Période précédente : les {report.Scope.To.DayNumber - report.Scope.From.DayNumber + 1} jours qui précèdent ({text.Period(report.Scope.Previous())}).",
            $"Previous period: the {report.Scope.To.DayNumber - report.Scope.From.DayNumber + 1} days before ({text.Period(report.Scope.Previous())})."), ReportFonts.Regular, 8.5f, Muted);

        Heading(pages, Next("Indicateurs clés", "Headline indicators"));
        pages.Row([text.Word("Indicateur", "Indicator"), text.Word("Période", "Period"), text.Word("Précédente", "Previous"), text.Word("Évolution", "Change")], columns, ReportFonts.Bold, 10, Ink, rule: true);
        var (h, p) = (report.Headline, report.PreviousHeadline);
        pages.Row([text.Word("Taux de satisfaction global", "Overall satisfaction rate"), text.Percent(h.SatisfactionRate), text.Percent(p.SatisfactionRate), text.Trend(h.SatisfactionRate, p.SatisfactionRate, ReportText.Change.Points)], columns, ReportFonts.Bold, 10, Ink, rule: true);
        pages.Row([text.Word("Note moyenne", "Mean score"), text.Mean(h.MeanScore, 5), text.Mean(p.MeanScore, 5), text.Trend(h.MeanScore, p.MeanScore, ReportText.Change.Tenths)], columns, ReportFonts.Regular, 10, Ink, rule: true);
        if (report.Questions.Any(q => q.Type == QuestionType.Nps))
        {
            pages.Row(["NPS", text.Nps(h.Nps), text.Nps(p.Nps), text.Trend(h.Nps, p.Nps, ReportText.Change.Whole)], columns, ReportFonts.Regular, 10, Ink, rule: true);
        }
        pages.Space(6);
        pages.Paragraph(text.Word(
            "Taux de satisfaction : part des réponses 4 ou 5 sur les questions notées de 1 à 5. NPS : % de notes 9-10 moins % de notes 0-6 (de -100 à +100).",
            "Satisfaction rate: share of 4 or 5 answers to the questions scored 1 to 5. NPS: % of 9-10 scores minus % of 0-6 scores (-100 to +100)."), ReportFonts.Regular, 8.5f, Muted);

        Heading(pages, Next("Résultats par question", "Results per question"));
        var number = 0;
        foreach (var question in report.Questions)
        {
            number++;
            // A comment box has no chart; a question nobody answered gets none either (its line says 0).
            var chart = question.Type == QuestionType.Text || question.Count == 0 ? 0 : ReportCharts.HeightOf(question);
            pages.KeepTogether(46 + chart);
            pages.Paragraph($"Q{number}. {question.Label}", ReportFonts.Bold, 10.5f, Ink, after: 2);
            pages.Paragraph(Figures(question, text), ReportFonts.Regular, 9, Muted, after: 4);
            if (chart > 0)
            {
                pages.Block(chart, (canvas, rect) => ReportCharts.Draw(canvas, rect, question));
            }
            pages.Space(10);
        }

        if (report.Breakdown.Count > 1)
        {
            Heading(pages, Next("Détail par formation", "Breakdown per course"));
            pages.Paragraph(text.Word("Les formations les moins satisfaites d'abord ; dans chacune, les questions les moins bien notées d'abord.",
                "Least satisfied courses first; within each, the lowest-scoring questions first."), ReportFonts.Regular, 8.5f, Muted, after: 8);
            var courseColumns = CourseColumns.Select(w => w * PdfPages.ContentWidth).ToArray();
            foreach (var course in report.Breakdown)
            {
                pages.KeepTogether(60);
                pages.Paragraph(course.Name, ReportFonts.Bold, 10.5f, Ink, after: 1);
                pages.Paragraph(text.Word(
                    $"{text.Plural(course.Participation.Answered, "réponse", "answer")} pour {text.Plural(course.Participation.Invited, "invité", "invited")} (taux de réponse {text.Percent(course.Participation.ResponseRate)}) · satisfaction {text.Percent(course.Headline.SatisfactionRate)} · moyenne {text.Mean(course.Headline.MeanScore, 5)}",
                    $"{text.Plural(course.Participation.Answered, "réponse", "answer")} for {text.Count(course.Participation.Invited)} invited (response rate {text.Percent(course.Participation.ResponseRate)}) · satisfaction {text.Percent(course.Headline.SatisfactionRate)} · mean {text.Mean(course.Headline.MeanScore, 5)}"),
                    ReportFonts.Regular, 9, Muted, after: 3);
                pages.Row([text.Word("Question", "Question"), text.Word("Satisfaits", "Satisfied"), text.Word("Moyenne", "Mean")], courseColumns, ReportFonts.Bold, 8.5f, Muted, rule: true);
                foreach (var question in course.Questions)
                {
                    pages.Row([question.Label, text.Percent(question.Satisfied), text.Mean(question.Mean, 5)], courseColumns, ReportFonts.Regular, 9, Ink, rule: true);
                }
                pages.Space(10);
            }
        }

        Heading(pages, Next("Commentaires libres", "Free comments"));
        pages.Paragraph(text.Word("Noms, adresses e-mail et numéros de téléphone remplacés par « […] ».", "Names, email addresses and phone numbers replaced by \"[…]\"."),
            ReportFonts.Regular, 8.5f, Muted, after: 8);
        if (report.Comments.Count == 0)
        {
            pages.Paragraph(text.Word("Aucun commentaire sur la période.", "No comment in the period."), ReportFonts.Regular, 10, Ink);
        }
        foreach (var comment in report.Comments)
        {
            pages.KeepTogether(34);
            pages.Paragraph($"{comment.Course} · {text.Day(comment.Day)}", ReportFonts.Regular, 8, Muted, after: 1);
            pages.Paragraph(comment.Text, ReportFonts.Regular, 10, Ink, indent: 8, after: 8);
        }

        var footerPeriod = text.Word($"Période {text.Period(report.Scope)}", $"Period {text.Period(report.Scope)}");
        pages.Render(output, $"{text.Title(report.Kind)} – {report.Organisation}", report.GeneratedAt,
            (page, count) => $"{report.Organisation} · {text.Title(report.Kind)} · {footerPeriod} · {text.Word("page", "page")} {page} / {count}");
    }

    private static void Cover(PdfPages pages, QualiopiReport report, ReportText text)
    {
        pages.Space(150);
        pages.Paragraph(report.Organisation, ReportFonts.Bold, 26, Ink, after: 12);
        pages.Paragraph(text.Title(report.Kind), ReportFonts.Bold, 17, Accent, after: 6);
        pages.Paragraph(text.Word("Questionnaire : ", "Questionnaire: ") + report.QuestionnaireTitle, ReportFonts.Regular, 12, Ink, after: 30);
        var scope = report.Courses.Count == 1
            ? report.Courses[0].Name
            : report.Scope.Courses.Count == 0
                ? text.Word($"toutes les formations ({report.Courses.Count})", $"all courses ({report.Courses.Count})")
                : text.Word($"{report.Courses.Count} formations", $"{report.Courses.Count} courses");
        pages.Paragraph($"{text.Word("Périmètre", "Scope")}{text.Word(" : ", ": ")}{scope}", ReportFonts.Regular, 11, Ink);
        if (report.Courses.Count is > 1 and <= 12)
        {
            foreach (var course in report.Courses)
            {
                pages.Paragraph("– " + course.Name, ReportFonts.Regular, 10, Ink, indent: 12, after: 1);
            }
            pages.Space(4);
        }
        pages.Paragraph($"{text.Word("Période", "Period")}{text.Word(" : ", ": ")}{text.Period(report.Scope)}", ReportFonts.Regular, 11, Ink);
        pages.Paragraph($"{text.Word("Généré le", "Generated on")} {text.Day(DateOnly.FromDateTime(report.GeneratedAt.UtcDateTime))}", ReportFonts.Regular, 11, Ink);
        pages.Space(20);
        pages.Paragraph(text.Word(
            "Ce rapport rend compte du recueil de l'appréciation des apprenants (indicateurs 30 et 32 du Référentiel national qualité) : qui a été sollicité, relancé et a répondu, et ce qu'ils en disent. Les réponses de test sont exclues.",
            "This report accounts for how learners' feedback was collected (indicators 30 and 32 of the French national quality framework): who was asked, reminded and answered, and what they said. Test answers are excluded."),
            ReportFonts.Regular, 9.5f, Muted);
        pages.NewPage();
    }

    private static void Heading(PdfPages pages, string title)
    {
        pages.KeepTogether(80);
        pages.Space(8);
        pages.Paragraph(title, ReportFonts.Bold, 15, Accent, after: 8);
    }

    private static string Figures(QuestionFigures question, ReportText text)
    {
        var answers = text.Plural(question.Count, "réponse", "answer");
        return question.Type switch
        {
            QuestionType.Scale5 => $"{answers} · {text.Word("moyenne", "mean")} {text.Mean(question.Mean, 5)} · {text.Word("satisfaits (4-5)", "satisfied (4-5)")} {text.Percent(question.Satisfied)}",
            QuestionType.Nps => $"{answers} · {text.Word("moyenne", "mean")} {text.Mean(question.Mean, 10)} · NPS {text.Nps(question.Nps)}",
            QuestionType.Text => $"{answers} · {text.Word("voir les commentaires libres", "see the free comments")}",
            _ => answers,
        };
    }
}
