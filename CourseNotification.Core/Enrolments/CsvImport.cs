using System.Globalization;
using System.Text;
using CourseNotification.Observability;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CourseNotification.Enrolments;

/// <summary>One refused line of a CSV import.</summary>
public sealed record CsvRejection(int Line, string Field, string Reason);

/// <summary>
/// What an import did. <see cref="Rejected"/> lists the first <see cref="CsvImport.MaxListedRejections"/>
/// refusals in the order met; <see cref="RejectedTotal"/> counts them all, <see cref="RejectedNotListed"/> those not listed.
/// </summary>
public sealed record CsvImportReport(
    int Rows, UpsertCounts Courses, UpsertCounts Learners, UpsertCounts Enrolments, IReadOnlyList<CsvRejection> Rejected, int RejectedTotal, int RejectedNotListed);

/// <summary>
/// <c>cn import</c> and <c>POST /api/import/csv</c>: what a Moodle custom report ("course participants"
/// source) exports, one row per learner and course, with the dates events and web services lack.
/// Columns are matched by their header, in French or English, with or without the report's
/// "Entity: " prefix; dates may be ISO 8601, Unix seconds, or Moodle's long dates (read in the site's
/// time zone). The file is read as a stream (<see cref="CsvRecordReader"/>), and its rows are written in
/// chunks with the snapshot upsert's rules (a field left out keeps its stored value; the first row of a
/// course or learner in a chunk says its names), each chunk in a few bulk reads and batch writes.
/// Courses and learners are counted once per import (created when they did not exist before it);
/// enrolments once per row.
/// </summary>
public sealed class CsvImport(
    CourseStore courses, LearnerStore learners, LearnerDirectory directory, SnapshotStore snapshots,
    TimeProvider clock, IOptions<PlatformOptions> platform, ILogger<CsvImport> logger)
{
    /// <summary>Refusals listed in a report; the others are counted.</summary>
    public const int MaxListedRejections = 100;

    /// <summary>
    /// Rows written together (a few MB): enough for full batches, many requests in flight, and the rows of a
    /// learner in several courses in one chunk even when the file is sorted by course (their index rows share
    /// a partition: one batch).
    /// </summary>
    private const int Chunk = 5000;

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
        var csv = new CsvRecordReader(reader);
        csv.Delimiter = await csv.SniffDelimiterAsync(Delimiters, cancellationToken);
        var header = await csv.ReadAsync(cancellationToken) ?? throw new FormatException("The file is empty.");
        if (header.Problem is not null)
        {
            throw new FormatException($"The header cannot be read: {header.Problem}.");
        }
        var names = header.Fields;
        var map = MapColumns(names);
        foreach (var required in new[] { "courseId", "learnerId" })
        {
            if (!map.ContainsKey(required))
            {
                throw new FormatException($"No column for {required}: the header has {string.Join(", ", names)}.");
            }
        }

        var zone = TimeZones.FindOrThrow(platform.Value.TimeZone);
        var run = new Run();
        var chunk = new List<CsvRow>(Chunk);
        var rows = 0;
        while (await csv.ReadAsync(cancellationToken) is { } record)
        {
            if (record.Blank)
            {
                continue;
            }
            rows++;
            if (record.Problem is { } unreadable)
            {
                run.Reject(record.Line, ColumnName(names, map, record.ProblemField), unreadable);
            }
            else
            {
                var row = map.Where(m => m.Value < record.Fields.Count).ToDictionary(m => m.Key, m => record.Fields[m.Value].Trim());
                if (Problem(row, zone) is { } problem)
                {
                    run.Reject(record.Line, problem.Field, problem.Reason);
                }
                else
                {
                    chunk.Add(ToRow(record.Line, row, zone));
                }
            }
            if (chunk.Count == Chunk)
            {
                await WriteAsync(chunk, run, cancellationToken);
                chunk.Clear();
            }
            if (rows % Chunk == 0)
            {
                progress?.Report(rows);
            }
        }
        await WriteAsync(chunk, run, cancellationToken);
        progress?.Report(rows);
        logger.LogInformation(
            "CSV import: {Rows} rows, {Courses} courses, {Learners} learners, {Enrolments} enrolments, {Rejected} refused",
            rows, run.Courses.Created + run.Courses.Updated, run.Learners.Created + run.Learners.Updated,
            run.Enrolments.Created + run.Enrolments.Updated, run.RejectedTotal);
        return new CsvImportReport(rows, run.Courses, run.Learners, run.Enrolments, run.Rejected, run.RejectedTotal, run.RejectedTotal - run.Rejected.Count);
    }

    /// <summary>One valid row, typed.</summary>
    private sealed record CsvRow(
        int Line, long CourseId, long LearnerId, string? ShortName, string? FullName,
        string? Email, string? FirstName, string? LastName, string? Lang, EnrolmentUpsert Enrolment);

    /// <summary>The totals of one import, the refusals it lists, and the courses and learners it counted already.</summary>
    private sealed class Run
    {
        private readonly HashSet<long> _courses = [];
        private readonly HashSet<long> _learners = [];
        private readonly List<CsvRejection> _rejected = [];

        public UpsertCounts Courses { get; private set; } = new(0, 0, 0);
        public UpsertCounts Learners { get; private set; } = new(0, 0, 0);
        public UpsertCounts Enrolments { get; set; } = new(0, 0, 0);
        public List<CsvRejection> Rejected => _rejected;
        public int RejectedTotal { get; private set; }

        public void Reject(int line, string field, string reason)
        {
            RejectedTotal++;
            if (_rejected.Count < MaxListedRejections)
            {
                _rejected.Add(new CsvRejection(line, field, reason));
            }
        }

        public void CountCourse(long id, bool existed)
        {
            if (_courses.Add(id))
            {
                Courses = Count(Courses, existed);
            }
        }

        public void CountLearner(long id, bool existed)
        {
            if (_learners.Add(id))
            {
                Learners = Count(Learners, existed);
            }
        }

        public void LearnerRejected() => Learners = Learners with { Rejected = Learners.Rejected + 1 };

        private static UpsertCounts Count(UpsertCounts counts, bool existed) =>
            existed ? counts with { Updated = counts.Updated + 1 } : counts with { Created = counts.Created + 1 };
    }

    /// <summary>
    /// Writes one chunk as the snapshot upsert would apply it (courses, then learners, then enrolments), in
    /// bulk: each kind is read by key ranges and written in batches or in parallel.
    /// </summary>
    private async Task WriteAsync(List<CsvRow> chunk, Run run, CancellationToken cancellationToken)
    {
        if (chunk.Count == 0)
        {
            return;
        }
        // A course and a learner appear on many rows: the first row of each in the chunk says its fields.
        var courseRows = chunk.DistinctBy(r => r.CourseId).ToList();
        var storedCourses = await courses.GetManyAsync(courseRows.Select(r => r.CourseId), cancellationToken);
        var courseWrites = new List<Course>();
        foreach (var row in courseRows)
        {
            var stored = storedCourses.GetValueOrDefault(row.CourseId);
            var course = stored ?? new Course { Id = row.CourseId };
            course = course.With(new CoursePatch(row.ShortName, row.FullName));
            run.CountCourse(row.CourseId, stored is not null);
            if (course != stored)
            {
                courseWrites.Add(course);
            }
        }
        await courses.UpsertManyAsync(courseWrites, cancellationToken);

        var learnerRows = chunk.DistinctBy(r => r.LearnerId).ToList();
        var storedLearners = await learners.GetManyAsync(learnerRows.Select(r => r.LearnerId), cancellationToken);
        var profiles = new Dictionary<long, Learner?>();
        var patches = new List<LearnerPatch>();
        var learnersRefused = 0;
        foreach (var row in learnerRows)
        {
            var stored = storedLearners.GetValueOrDefault(row.LearnerId);
            var patch = new LearnerPatch(row.LearnerId) { Email = row.Email, FirstName = row.FirstName, LastName = row.LastName, Lang = row.Lang };
            var learner = (stored ?? new Learner { Id = row.LearnerId }).With(patch);
            if (learner.Email.Length > 0 && !System.Net.Mail.MailAddress.TryCreate(learner.Email, out _))
            {
                run.Reject(row.Line, "email", $"email '{learner.Email}' is not an email address");
                run.LearnerRejected();
                learnersRefused++;
                profiles[row.LearnerId] = stored;
                continue;
            }
            profiles[row.LearnerId] = learner;
            run.CountLearner(row.LearnerId, stored is not null);
            if (learner != stored)
            {
                patches.Add(patch);
            }
        }
        // The learners are written while the snapshots are read and their index rows written; the snapshots,
        // which copy the learners' profiles, only after them (as the snapshot upsert orders it).
        Task learnersSaved = patches.Count > 0
            ? directory.UpdateManyAsync(patches, chunk.Select(r => (r.CourseId, r.LearnerId)).ToHashSet(), cancellationToken)
            : Task.CompletedTask;
        var now = clock.GetUtcNow();
        var changes = chunk.Select(r => new SnapshotChange(r.CourseId, r.LearnerId, s => r.Enrolment.ApplyTo(s, profiles[r.LearnerId], now))).ToList();
        IReadOnlyList<SnapshotChanged> results;
        try
        {
            results = await snapshots.UpdateManyAsync(changes, onlyExisting: false, cancellationToken, writeAfter: learnersSaved);
        }
        finally
        {
            // Never leave the learners' writes running unobserved (their failure is the one to report when both fail).
            await learnersSaved;
        }
        var created = chunk.Where((r, i) => r.Enrolment.IsNewIn(results[i].Before)).Count();
        run.Enrolments = run.Enrolments with { Created = run.Enrolments.Created + created, Updated = run.Enrolments.Updated + chunk.Count - created };

        Telemetry.SnapshotItems.Add(courseRows.Count, new("kind", "courses"), new("outcome", "upserted"));
        Telemetry.SnapshotItems.Add(learnerRows.Count - learnersRefused, new("kind", "learners"), new("outcome", "upserted"));
        Telemetry.SnapshotItems.Add(learnersRefused, new("kind", "learners"), new("outcome", "rejected"));
        Telemetry.SnapshotItems.Add(created, new("kind", "enrolments"), new("outcome", "created"));
        Telemetry.SnapshotItems.Add(chunk.Count - created, new("kind", "enrolments"), new("outcome", "updated"));
    }

    private static CsvRow ToRow(int line, Dictionary<string, string> row, TimeZoneInfo zone)
    {
        string? Text(string field) => row.GetValueOrDefault(field) is { Length: > 0 } text ? text : null;
        var method = Text("method");
        var enrolment = new EnrolmentUpsert
        {
            Id = EnrolmentId(method),
            Method = method,
            Status = Status(Text("status")),
            HasStart = row.ContainsKey("start"),
            Start = row.TryGetValue("start", out var start) ? Date(start, zone) : null,
            HasEnd = row.ContainsKey("end"),
            End = row.TryGetValue("end", out var end) ? Date(end, zone) : null,
            LastAccess = row.TryGetValue("lastAccess", out var lastAccess) ? Date(lastAccess, zone) : null,
            HasCompletedAt = row.ContainsKey("completedAt"),
            CompletedAt = row.TryGetValue("completedAt", out var completedAt) ? Date(completedAt, zone) : null,
        };
        return new CsvRow(
            line, long.Parse(row["courseId"], CultureInfo.InvariantCulture), long.Parse(row["learnerId"], CultureInfo.InvariantCulture),
            Text("courseShortName"), StripLink(Text("courseFullName")), Text("email"), Text("firstName"), Text("lastName"), Lang(Text("lang")), enrolment);
    }

    /// <summary>The name of a column for a refusal: the field it feeds, else its header.</summary>
    private static string ColumnName(IReadOnlyList<string> names, Dictionary<string, int> map, int column) =>
        map.FirstOrDefault(m => m.Value == column).Key
        ?? (column < names.Count && names[column].Trim() is { Length: > 0 } name ? name : $"column {column + 1}");

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
            if (row.TryGetValue(field, out var text) && !Never.Contains(text.ToLowerInvariant()) && Parse(text, zone, out var outOfRange) is null)
            {
                return (field, outOfRange ? $"'{text}' is out of range ({SupportedDates.Description})" : $"'{text}' is not a date");
            }
        }
        return null;
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
    public static DateTimeOffset? Date(string text, TimeZoneInfo zone) => Parse(text, zone, out _);

    /// <summary>
    /// The date, or null when the text says "never" or is not a date; <paramref name="outOfRange"/> when it
    /// is a date outside <see cref="SupportedDates"/> (1970 to 8999), or one no <see cref="DateTimeOffset"/> holds.
    /// </summary>
    private static DateTimeOffset? Parse(string text, TimeZoneInfo zone, out bool outOfRange)
    {
        var date = ParseAny(text, zone, out outOfRange);
        if (date is { } parsed && !SupportedDates.Contains(parsed))
        {
            outOfRange = true;
            return null;
        }
        return date;
    }

    private static DateTimeOffset? ParseAny(string text, TimeZoneInfo zone, out bool outOfRange)
    {
        outOfRange = false;
        if (Never.Contains(text.Trim().ToLowerInvariant()))
        {
            return null;
        }
        if (text.Length > 0 && text.All(char.IsAsciiDigit))
        {
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > MaxUnixSeconds)
            {
                outOfRange = true;
                return null;
            }
            return seconds == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(seconds);
        }
        if (text.Length >= 10 && text[4] == '-' && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var iso))
        {
            return text.Length > 10 && (text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > 9) ? iso : Local(iso.DateTime, zone, out outOfRange);
        }
        var cleaned = text.Replace(" à ", " ", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal).Trim();
        foreach (var culture in new[] { "fr-FR", "en-GB", "en-US" })
        {
            if (DateTime.TryParse(cleaned, CultureInfo.GetCultureInfo(culture), DateTimeStyles.AllowWhiteSpaces, out var local))
            {
                return Local(local, zone, out outOfRange);
            }
        }
        return null;
    }

    /// <summary>9999-12-31T23:59:59Z, the last second a <see cref="DateTimeOffset"/> holds.</summary>
    private static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    /// <summary>A date written in the site's local time (a time skipped by daylight saving moves forward, as the engine's do).</summary>
    private static DateTimeOffset? Local(DateTime local, TimeZoneInfo zone, out bool outOfRange)
    {
        // Far from the ends of what a DateTimeOffset holds, where a zone's offset would carry it past them.
        outOfRange = local.Year is < 1970 or >= 9000;
        return outOfRange ? null : Zones.AtLocal(local, zone);
    }

    private static Dictionary<string, int> MapColumns(IReadOnlyList<string> names)
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
}
