using ScottPlot;
using SkiaSharp;

namespace CourseNotification.Reports;

/// <summary>
/// The bar chart of one question's answers, by ScottPlot, drawn straight onto the PDF page's canvas
/// (vector shapes and text, no bitmap) in the report's font. Scales read left to right; choices, whose
/// labels may be long, as horizontal bars.
/// </summary>
internal static class ReportCharts
{
    private static readonly Lazy<bool> FontRegistered = new(() =>
    {
        Fonts.FontResolvers.Add(new ShippedFontResolver());
        return true;
    });

    public static float HeightOf(QuestionFigures question) =>
        question.Type is Questionnaires.QuestionType.Scale5 or Questionnaires.QuestionType.Nps ? 140 : 30 + 22 * question.Distribution.Count;

    public static void Draw(SKCanvas canvas, SKRect rect, QuestionFigures question)
    {
        _ = FontRegistered.Value;
        var plot = new Plot();
        plot.Font.Set(ReportFonts.Family);
        var horizontal = question.Type is not (Questionnaires.QuestionType.Scale5 or Questionnaires.QuestionType.Nps);
        var bars = question.Distribution.Select((bar, i) => new ScottPlot.Bar
        {
            Position = horizontal ? question.Distribution.Count - 1 - i : i,
            Value = bar.Count,
            FillColor = Color.FromHex("#1D4ED8"),
            LineWidth = 0,
            Label = bar.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Size = 0.7,
        }).ToList();
        var barPlot = plot.Add.Bars(bars);
        barPlot.Horizontal = horizontal;
        barPlot.ValueLabelStyle.FontSize = 9;
        var positions = bars.Select(b => b.Position).ToArray();
        var labels = question.Distribution.Select(b => b.Label).ToArray();
        var max = Math.Max(1, question.Distribution.Max(b => b.Count));
        // Counts are whole numbers: no 0.5 on the value axis.
        var counts = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (horizontal)
        {
            plot.Axes.Bottom.TickGenerator = counts;
            plot.Axes.Left.SetTicks(positions, labels);
            plot.Axes.SetLimits(0, max * 1.15, -0.6, bars.Count - 0.4);
        }
        else
        {
            plot.Axes.Left.TickGenerator = counts;
            plot.Axes.Bottom.SetTicks(positions, labels);
            plot.Axes.SetLimits(-0.6, bars.Count - 0.4, 0, max * 1.2);
        }
        plot.Grid.MajorLineColor = Color.FromHex("#E5E7EB");
        plot.Axes.Left.TickLabelStyle.FontSize = 9;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 9;

        canvas.Save();
        canvas.ClipRect(rect);
        canvas.Translate(rect.Left, rect.Top);
        plot.Render(canvas, (int)rect.Width, (int)rect.Height);
        canvas.Restore();
    }

    /// <summary>Gives ScottPlot the report's shipped font, whatever the machine has.</summary>
    private sealed class ShippedFontResolver : IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            fontName == ReportFonts.Family ? (bold ? ReportFonts.Bold : ReportFonts.Regular) : null;

        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) =>
            fontName == ReportFonts.Family ? (weight >= FontWeight.SemiBold ? ReportFonts.Bold : ReportFonts.Regular) : null;
    }
}
