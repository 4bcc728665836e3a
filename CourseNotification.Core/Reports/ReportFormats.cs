using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CourseNotification.Reports;

/// <summary>The forms a report is written in (the HTTP route and <c>cn report</c> share them).</summary>
public static class ReportFormats
{
    public static IReadOnlyList<string> All { get; } = ["pdf", "json", "csv"];

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string ContentType(string format) => format switch
    {
        "json" => "application/json; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        _ => "application/pdf",
    };

    public static async Task WriteAsync(QualiopiReport report, string format, Stream output, CancellationToken cancellationToken)
    {
        switch (format)
        {
            case "json":
                await JsonSerializer.SerializeAsync(output, report, Json, cancellationToken);
                break;
            case "csv":
                await using (var writer = new StreamWriter(output, new UTF8Encoding(false), leaveOpen: true))
                {
                    await ReportCsv.WriteAsync(report, writer);
                }
                break;
            default:
                ReportPdf.Write(report, output);
                break;
        }
    }
}
