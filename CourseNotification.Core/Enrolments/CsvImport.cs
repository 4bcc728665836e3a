using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CourseNotification.Settings;
using CourseNotification.Signals;
using Microsoft.Extensions.Options;

namespace CourseNotification.Enrolments;

/// <summary>One refused line of a CSV import.</summary>
public sealed record CsvRejection(int Line, string Field, string Reason);

public sealed record CsvImportReport(int Rows, UpsertCounts Courses, UpsertCounts Learners, UpsertCounts Enrolments, IReadOnlyList<CsvRejection> Rejected);

/// <summary>
/// <c>cn import</c> and <c>POST /api/import/csv</c>: what a Moodle custom report ("course participants"
/// source) exports, one row per learner and course, with the dates events and web services lack.
/// Columns are matched by their header, in French or English, with or without the report's
/// "Entity: " prefix; dates may be ISO 8601, Unix seconds, or Moodle's long dates (read in the site's
/// time zone). Rows go through the snapshot upsert in chunks, so the same rules apply.
/// </summary>
public sealed class CsvImport(SnapshotIngest ingest, IOptions<PlatformOptions> platform)
{
    private const int Chunk = 200;

    /// <summary>Header words (lower case, without accents, after any "Entity:" prefix) for each field.</summary>
    private static readonly (string Field, string[] Headers)[] Columns =
    [
        ("courseId", ["course id", "id du cours", "courseid", "id cours"]),
        ("courseShortName", ["course short name", "short name", "nom abrege du cours", "nom abrege"]),
        ("courseFullName", ["course full name", "course full name with link", "full name of course", "nom complet du cours", "nom complet du cours avec lien"]),
        ("learnerId", ["user id", "userid", "id utilisateur", "id de l'utilisateur"]),
        ("email", ["email address", "email", "adresse de courriel", "adresse courriel", "courriel"]),
        ("firstName", ["first name", "firstname", "prenom"]),
        ("lastName", ["last name", "surname", "lastname", "nom de famille", "nom"]),
        ("lang", ["preferred language", "language", "langue preferee", "langue"]),
        ("start", ["time started", "enrolment time started", "enrolment start", "date de debut", "debut de l'inscription", "date de debut de l'inscription"]),
        ("end", ["time ended", "enrolment time ended", "enrolment end", "date de fin", "fin de l'inscription", "date de fin de l'inscription"]),
        ("status", ["status", "enrolment status", "statut", "statut de l'inscription"]),
        ("lastAccess", ["last access to course", "last course access", "course last access", "dernier acces au cours", "dernier acces"]),
        ("completedAt", ["time completed", "completion date", "date completed", "date d'achevement", "achevement du cours", "date d'achevement du cours"]),
        ("method", ["enrolment method", "method", "methode d'inscription"]),
    ];

    private static readonly string[] Never = ["", "-", "never", "jamais", "not yet", "pas encore"];
    private static readonly char[] Delimiters = [';', '\t', ','];

    public async Task<CsvImportReport> ImportAsync(TextReader reader, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var header = await reader.ReadLineAsync(cancellationToken) ?? throw new FormatException("The file is empty.");
        var delimiter = Delimiters.MaxBy(d => header.Count(c => c == d));
        var names = Split(header.TrimStart('\uFEFF'), delimiter);
        var map = MapColumns(names);
        foreach (var required in new[] { "courseId", "learnerId" })
        {
            if (!map.ContainsKey(required))
            {
                throw new FormatException($"No column for {required}: the header has {string.Join(", ", names)}.");
            }
        }

        var zone = TimeZones.FindOrThrow(platform.Value.TimeZone);
        var rejected = new List<CsvRejection>();
        var totals = new Totals();
        var batch = new List<(int Line, Dictionary<string, string> Row)>();
        var line = 1;
        var rows = 0;
        while (await ReadRecordAsync(reader, cancellationToken) is { } record)
        {
            line += record.Lines;
            if (string.IsNullOrWhiteSpace(record.Text))
            {
                continue;
            }
            var fields = Split(record.Text, delimiter);
            batch.Add((line, map.Where(m => m.Value < fields.Count).ToDictionary(m => m.Key, m => fields[m.Value].Trim())));
            rows++;
            if (batch.Count == Chunk)
            {
                await FlushAsync(batch, zone, totals, rejected, cancellationToken);
                progress?.Report(rows);
            }
        }
        await FlushAsync(batch, zone, totals, rejected, cancellationToken);
        progress?.Report(rows);
        return new CsvImportReport(rows, totals.Courses, totals.Learners, totals.Enrolments, rejected);
    }

    private sealed class Totals
    {
        public UpsertCounts Courses { get; set; } = new(0, 0, 0);
        public UpsertCounts Learners { get; set; } = new(0, 0, 0);
        public UpsertCounts Enrolments { get; set; } = new(0, 0, 0);
    }

    private async Task FlushAsync(List<(int Line, Dictionary<string, string> Row)> batch, TimeZoneInfo zone, Totals totals, List<CsvRejection> rejected, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }
        // A course and a learner appear on many rows: each is upserted once per chunk; every row is an enrolment.
        var courses = new Dictionary<string, (int Line, JsonObject Item)>();
        var learners = new Dictionary<string, (int Line, JsonObject Item)>();
        var enrolments = new List<(int Line, JsonObject Item)>();
        foreach (var (line, row) in batch)
        {
            if (Problem(row, zone) is { } problem)
            {
                rejected.Add(new CsvRejection(line, problem.Field, problem.Reason));
                continue;
            }
            var courseId = row["courseId"];
            var learnerId = row["learnerId"];
            courses.TryAdd(courseId, (line, Item(("id", courseId), ("shortName", row.GetValueOrDefault("courseShortName")), ("fullName", StripLink(row.GetValueOrDefault("courseFullName"))))));
            learners.TryAdd(learnerId, (line, Item(("id", learnerId), ("email", row.GetValueOrDefault("email")), ("firstName", row.GetValueOrDefault("firstName")),
                ("lastName", row.GetValueOrDefault("lastName")), ("lang", Lang(row.GetValueOrDefault("lang"))))));
            var enrolment = Item(("id", EnrolmentId(row.GetValueOrDefault("method")).ToString(CultureInfo.InvariantCulture)), ("courseId", courseId), ("learnerId", learnerId),
                ("method", row.GetValueOrDefault("method")), ("status", Status(row.GetValueOrDefault("status"))));
            foreach (var field in new[] { "start", "end", "lastAccess", "completedAt" })
            {
                if (row.TryGetValue(field, out var text))
                {
                    enrolment[field] = Date(text, zone) is { } date ? date.ToString("O", CultureInfo.InvariantCulture) : 0;
                }
            }
            enrolments.Add((line, enrolment));
        }
        var report = await ingest.UpsertAsync(new JsonObject
        {
            ["courses"] = new JsonArray([.. courses.Values.Select(c => (JsonNode)c.Item)]),
            ["learners"] = new JsonArray([.. learners.Values.Select(l => (JsonNode)l.Item)]),
            ["enrolments"] = new JsonArray([.. enrolments.Select(e => (JsonNode)e.Item)]),
        }, cancellationToken);
        var lines = new Dictionary<string, IReadOnlyList<int>>
        {
            ["courses"] = [.. courses.Values.Select(c => c.Line)],
            ["learners"] = [.. learners.Values.Select(l => l.Line)],
            ["enrolments"] = [.. enrolments.Select(e => e.Line)],
        };
        rejected.AddRange(report.Rejected.Select(r => new CsvRejection(lines[r.Kind][r.Index], r.Field, r.Reason)));
        totals.Courses = Add(totals.Courses, report.Courses);
        totals.Learners = Add(totals.Learners, report.Learners);
        totals.Enrolments = Add(totals.Enrolments, report.Enrolments);
        batch.Clear();
    }

    private static (string Field, string Reason)? Problem(Dictionary<string, string> row, TimeZoneInfo zone)
    {
        foreach (var id in new[] { "courseId", "learnerId" })
        {
            if (!long.TryParse(row.GetValueOrDefault(id), NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
            {
                return (id, $"'{row.GetValueOrDefault(id)}' is not an id");
            }
        }
        foreach (var field in new[] { "start", "end", "lastAccess", "completedAt" })
        {
            if (row.TryGetValue(field, out var text) && !Never.Contains(text.ToLowerInvariant()) && Date(text, zone) is null)
            {
                return (field, $"'{text}' is not a date");
            }
        }
        return null;
    }

    private static UpsertCounts Add(UpsertCounts a, UpsertCounts b) => new(a.Created + b.Created, a.Updated + b.Updated, a.Rejected + b.Rejected);

    private static JsonObject Item(params (string Name, string? Value)[] fields)
    {
        var item = new JsonObject();
        foreach (var (name, value) in fields)
        {
            if (!string.IsNullOrEmpty(value))
            {
                item[name] = value;
            }
        }
        return item;
    }

    /// <summary>Reports give no enrolment id: one per method (manual, self...), stable across imports, never a real (positive) Moodle id.</summary>
    private static long EnrolmentId(string? method)
    {
        var hash = 2166136261u;
        foreach (var c in (method ?? "").ToLowerInvariant())
        {
            hash = (hash ^ c) * 16777619u;
        }
        return -1 - (hash % 1_000_000);
    }

    private static string? Status(string? text) => text?.ToLowerInvariant() switch
    {
        null or "" => null,
        "active" or "actif" or "0" => "active",
        _ => "suspended",
    };

    private static string? Lang(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        var lower = text.ToLowerInvariant();
        return lower.StartsWith("fr", StringComparison.Ordinal) || lower.Contains("français", StringComparison.Ordinal) ? "fr"
            : lower.StartsWith("en", StringComparison.Ordinal) || lower.Contains("english", StringComparison.Ordinal) || lower.Contains("anglais", StringComparison.Ordinal) ? "en"
            : lower;
    }

    private static string? StripLink(string? text) =>
        text is not null && text.Contains('<', StringComparison.Ordinal) ? System.Text.RegularExpressions.Regex.Replace(text, "<[^>]+>", "").Trim() : text;

    /// <summary>ISO 8601, Unix seconds, or Moodle's long dates in French or English (local time of the site).</summary>
    public static DateTimeOffset? Date(string text, TimeZoneInfo zone)
    {
        if (Never.Contains(text.Trim().ToLowerInvariant()))
        {
            return null;
        }
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(seconds);
        }
        if (text.Length >= 10 && text[4] == '-' && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var iso))
        {
            return text.Length > 10 && (text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > 9) ? iso : Local(iso.DateTime, zone);
        }
        var cleaned = text.Replace(" à ", " ", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal).Trim();
        foreach (var culture in new[] { "fr-FR", "en-GB", "en-US" })
        {
            if (DateTime.TryParse(cleaned, CultureInfo.GetCultureInfo(culture), DateTimeStyles.AllowWhiteSpaces, out var local))
            {
                return Local(local, zone);
            }
        }
        return null;
    }

    private static DateTimeOffset Local(DateTime local, TimeZoneInfo zone)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(unspecified, zone.GetUtcOffset(unspecified));
    }

    private static Dictionary<string, int> MapColumns(List<string> names)
    {
        var map = new Dictionary<string, int>();
        for (var i = 0; i < names.Count; i++)
        {
            var name = Normalize(names[i]);
            foreach (var (field, headers) in Columns)
            {
                if (!map.ContainsKey(field) && headers.Contains(name))
                {
                    map[field] = i;
                    break;
                }
            }
        }
        return map;
    }

    /// <summary>Lower case, without accents, after any "Entity: " prefix of a report column.</summary>
    private static string Normalize(string header)
    {
        var text = header.Trim().Trim('"');
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            text = text[(colon + 1)..];
        }
        var decomposed = text.Trim().ToLowerInvariant().Normalize(NormalizationForm.FormD);
        return new string([.. decomposed.Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)]).Replace('’', '\'');
    }

    /// <summary>One CSV record (a quoted field may span lines), and how many lines it took.</summary>
    private static async Task<(string Text, int Lines)?> ReadRecordAsync(TextReader reader, CancellationToken cancellationToken)
    {
        var line = await reader.ReadLineAsync(cancellationToken);
        if (line is null)
        {
            return null;
        }
        var text = new StringBuilder(line);
        var lines = 1;
        while (text.ToString().Count(c => c == '"') % 2 == 1 && await reader.ReadLineAsync(cancellationToken) is { } more)
        {
            text.Append('\n').Append(more);
            lines++;
        }
        return (text.ToString(), lines);
    }

    private static List<string> Split(string record, char delimiter)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < record.Length; i++)
        {
            var c = record[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < record.Length && record[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == delimiter)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }
        fields.Add(field.ToString());
        return fields;
    }
}
