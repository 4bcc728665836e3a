using SkiaSharp;

namespace CourseNotification.Reports;

/// <summary>
/// The fonts a report is drawn with, shipped in the assembly (DejaVu Sans, regular and bold: every French
/// accent, and the same glyphs on every machine), embedded by Skia in each PDF.
/// </summary>
internal static class ReportFonts
{
    public const string Family = "DejaVu Sans";

    public static SKTypeface Regular { get; } = Load("DejaVuSans.ttf");
    public static SKTypeface Bold { get; } = Load("DejaVuSans-Bold.ttf");

    private static SKTypeface Load(string file)
    {
        using var stream = typeof(ReportFonts).Assembly.GetManifestResourceStream("CourseNotification.Reports.Fonts." + file)
            ?? throw new InvalidOperationException($"Font {file} is missing from the assembly.");
        return SKTypeface.FromStream(stream) ?? throw new InvalidOperationException($"Font {file} could not be read.");
    }
}

/// <summary>
/// A small page layout over Skia's PDF backend: content flows down A4 pages (text wrapped to the width,
/// blocks kept whole, a new page when one is full), then every page is drawn with a footer that knows
/// the page count. Text stays text: selectable and searchable in the PDF.
/// </summary>
internal sealed class PdfPages
{
    public const float PageWidth = 595.28f, PageHeight = 841.89f, Margin = 56f, FooterHeight = 24f;

    private readonly List<List<Action<SKCanvas>>> _pages = [[]];
    private float _y = Margin;

    public static float ContentWidth => PageWidth - 2 * Margin;

    private static float Bottom => PageHeight - Margin - FooterHeight;

    public void NewPage()
    {
        _pages.Add([]);
        _y = Margin;
    }

    public void Space(float height)
    {
        _y += height;
        if (_y > Bottom)
        {
            NewPage();
        }
    }

    /// <summary>Starts a new page unless <paramref name="height"/> still fits on this one (keeps a block or a heading with what follows).</summary>
    public void KeepTogether(float height)
    {
        if (_y + height > Bottom && _y > Margin)
        {
            NewPage();
        }
    }

    /// <summary>Wrapped text; a paragraph longer than the page goes on over the next ones, line by line.</summary>
    public void Paragraph(string text, SKTypeface typeface, float size, SKColor color, float indent = 0, float after = 4)
    {
        var lineHeight = size * 1.35f;
        foreach (var line in Wrap(text, Font(typeface, size), ContentWidth - indent))
        {
            KeepTogether(lineHeight);
            var (x, baseline) = (Margin + indent, _y + size);
            var content = line;
            Add(canvas => DrawText(canvas, content, x, baseline, typeface, size, color));
            _y += lineHeight;
        }
        _y += after;
    }

    /// <summary>A row of cells at the given column widths, each wrapped within its column; the row is kept on one page.</summary>
    public void Row(IReadOnlyList<string> cells, IReadOnlyList<float> widths, SKTypeface typeface, float size, SKColor color, bool rule = false)
    {
        var lineHeight = size * 1.35f;
        var wrapped = cells.Select((cell, i) => Wrap(cell, Font(typeface, size), widths[i] - 6)).ToList();
        var height = wrapped.Max(lines => lines.Count) * lineHeight + 4;
        KeepTogether(height);
        var top = _y;
        var x = Margin;
        for (var i = 0; i < wrapped.Count; i++)
        {
            var (left, lines) = (x, wrapped[i]);
            Add(canvas =>
            {
                for (var l = 0; l < lines.Count; l++)
                {
                    DrawText(canvas, lines[l], left, top + size + l * lineHeight, typeface, size, color);
                }
            });
            x += widths[i];
        }
        if (rule)
        {
            Add(canvas =>
            {
                using var paint = new SKPaint { Color = new SKColor(0xD1, 0xD5, 0xDB), StrokeWidth = 0.5f, IsAntialias = true };
                canvas.DrawLine(Margin, top + height - 1, Margin + widths.Sum(), top + height - 1, paint);
            });
        }
        _y += height;
    }

    /// <summary>A drawing of a fixed height, kept whole on one page, drawn in the given rectangle.</summary>
    public void Block(float height, Action<SKCanvas, SKRect> draw)
    {
        KeepTogether(height);
        var rect = SKRect.Create(Margin, _y, ContentWidth, height);
        Add(canvas => draw(canvas, rect));
        _y += height;
    }

    /// <summary>Draws every page into a PDF on <paramref name="output"/>, each with its footer (page number, page count); <paramref name="created"/> goes in its metadata.</summary>
    public void Render(Stream output, string title, DateTimeOffset created, Func<int, int, string> footer)
    {
        using var document = SKDocument.CreatePdf(output, new SKDocumentPdfMetadata
        {
            Title = title,
            Creator = "CourseNotification",
            Producer = "CourseNotification (SkiaSharp)",
            Creation = created.UtcDateTime,
            RasterDpi = 300,
        });
        for (var i = 0; i < _pages.Count; i++)
        {
            var canvas = document.BeginPage(PageWidth, PageHeight);
            foreach (var draw in _pages[i])
            {
                draw(canvas);
            }
            using (var paint = new SKPaint { Color = new SKColor(0xD1, 0xD5, 0xDB), StrokeWidth = 0.5f })
            {
                canvas.DrawLine(Margin, PageHeight - Margin - 12, PageWidth - Margin, PageHeight - Margin - 12, paint);
            }
            DrawText(canvas, footer(i + 1, _pages.Count), Margin, PageHeight - Margin, ReportFonts.Regular, 8, new SKColor(0x6B, 0x72, 0x80));
            document.EndPage();
        }
        document.Close();
    }

    private void Add(Action<SKCanvas> draw) => _pages[^1].Add(draw);

    private static void DrawText(SKCanvas canvas, string text, float x, float baseline, SKTypeface typeface, float size, SKColor color)
    {
        using var paint = new SKPaint { Color = color, IsAntialias = true };
        canvas.DrawText(text, x, baseline, SKTextAlign.Left, Font(typeface, size), paint);
    }

    /// <summary>One font object per typeface and size for the whole document (thousands of lines share a handful).</summary>
    private static SKFont Font(SKTypeface typeface, float size) =>
        Fonts.GetOrAdd((typeface, size), static key => new SKFont(key.Item1, key.Item2));

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(SKTypeface, float), SKFont> Fonts = new();

    /// <summary>Lines of at most <paramref name="width"/>: words kept whole unless one alone is wider; line breaks in the text kept. Each word is measured once.</summary>
    internal static List<string> Wrap(string text, SKFont font, float width)
    {
        var lines = new List<string>();
        var space = font.MeasureText(" ");
        foreach (var paragraph in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = new System.Text.StringBuilder();
            var used = 0f;
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var size = font.MeasureText(word);
                if (line.Length > 0 && used + space + size <= width)
                {
                    line.Append(' ').Append(word);
                    used += space + size;
                    continue;
                }
                if (line.Length > 0)
                {
                    lines.Add(line.ToString());
                    line.Clear();
                }
                var rest = word;
                // A word wider than the line (a long URL) is cut where it must be.
                while (size > width && rest.Length > 1)
                {
                    var fit = rest.Length - 1;
                    while (fit > 1 && font.MeasureText(rest[..fit]) > width)
                    {
                        fit--;
                    }
                    lines.Add(rest[..fit]);
                    rest = rest[fit..];
                    size = font.MeasureText(rest);
                }
                line.Append(rest);
                used = size;
            }
            lines.Add(line.ToString());
        }
        return lines;
    }
}
