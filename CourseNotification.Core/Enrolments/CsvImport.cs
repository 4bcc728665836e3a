using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
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
/// <see cref="Skipped"/> counts the lines that name nobody (the report's line for an enrolment method no one uses).
/// </summary>
public sealed record CsvImportReport(
    int Rows, UpsertCounts Courses, UpsertCounts Learners, UpsertCounts Enrolments, IReadOnlyList<CsvRejection> Rejected, int RejectedTotal, int RejectedNotListed,
    int Skipped = 0);

/// <summary>
/// <c>cn import</c> and <c>POST /api/import/csv</c>: what a Moodle custom report ("Course participants"
/// source) exports, one row per person and enrolment, with the dates events and web services lack
/// (docs/moodle.md, CSV import). Columns are matched by their heading as Moodle 4.5 writes it, in English
/// or French, with or without the report's "Entity: " prefix. The report has no course or user id: courses
/// are then found by short or full name among the stored courses and people by username or email among the
/// stored learners; a line whose match is unknown or ambiguous is refused with the reason. A file with id
/// columns is checked against the same names, so that a renamed "ID number" column cannot import under the
/// wrong ids. Dates may be ISO 8601, Unix seconds, or Moodle's long dates in French or English, read in the
/// exporting user's time zone (the site's unless told). The file is read as a stream
/// (<see cref="CsvRecordReader"/>) and written in chunks through the records' own merge rules
/// (<see cref="Course.With"/>, <see cref="Learner.With"/>, <see cref="EnrolmentUpsert"/>), each chunk in a
/// few bulk reads and batch writes. Courses and learners are counted once per import (created when they did
/// not exist before it); enrolments once per row.
/// </summary>
public sealed partial class CsvImport(
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

    /// <summary>
    /// Headings (lower case, without accents or direction marks, after any "Entity:" prefix) for each field,
    /// the preferred first: when two columns fit a field, the one whose heading comes first here feeds it.
    /// Moodle 4.5's own column names come first (lang/en: <c>shortnamecourse</c>, <c>fullnamecourse</c>,
    /// <c>startdate</c>, <c>enddate</c>, <c>username</c>, <c>email</c>, <c>language</c>, <c>timezone</c>,
    /// enrol's <c>method</c>, <c>timestarted</c>, <c>timeended</c>, <c>status</c>, <c>role</c>, completion's
    /// <c>timecompleted</c>, <c>lastcourseaccess</c>), then their French forms and older or hand-made
    /// spellings. Moodle's "Course ID number" and "ID number" (free text) are never taken for ids.
    /// </summary>
    private static readonly (string Field, string[] Headers)[] Columns =
    [
        ("courseId", ["course id", "id du cours", "courseid", "id cours"]),
        ("courseShortName", ["course short name", "nom abrege du cours", "course short name with link", "nom abrege du cours avec lien", "short name", "nom abrege"]),
        ("courseFullName", ["course full name", "nom complet du cours", "course full name with link", "nom complet du cours avec lien", "full name of course"]),
        ("courseStart", ["course start date", "date de debut du cours"]),
        ("courseEnd", ["course end date", "date de fin du cours"]),
        ("learnerId", ["user id", "userid", "id utilisateur", "id de l'utilisateur"]),
        ("username", ["username", "nom d'utilisateur"]),
        ("email", ["email address", "adresse de courriel", "adresse courriel", "email", "courriel"]),
        ("firstName", ["first name", "prenom", "firstname"]),
        ("lastName", ["last name", "nom de famille", "surname", "lastname", "nom"]),
        ("lang", ["language", "langue", "preferred language", "langue preferee"]),
        ("timeZone", ["timezone", "fuseau horaire", "time zone"]),
        ("start", ["time started", "date de debut", "heure de debut", "enrolment time started", "enrolment start", "debut de l'inscription", "date de debut de l'inscription"]),
        ("end", ["time ended", "date de fin", "heure de fin", "enrolment time ended", "enrolment end", "fin de l'inscription", "date de fin de l'inscription"]),
        ("status", ["status", "statut", "enrolment status", "statut de l'inscription", "etat"]),
        ("lastAccess", ["last access to course", "dernier acces au cours", "last course access", "course last access", "dernier acces"]),
        ("completedAt", ["time completed", "date d'achevement", "completion date", "date completed", "achevement du cours", "date d'achevement du cours"]),
        ("method", ["method", "methode", "enrolment method", "methode d'inscription"]),
        ("roles", ["role", "roles", "role full name", "nom complet du role"]),
    ];

    private static readonly string[] Never = ["", "-", "never", "jamais", "not yet", "pas encore"];
    private static readonly char[] Delimiters = [';', '\t', ','];

    /// <summary>Direction marks Moodle writes around a language code ("Français ‎(fr)‎") and a stray byte-order mark.</summary>
    private static readonly char[] Marks = ['\u200E', '\u200F', '\uFEFF'];

    /// <summary>Reads the file with its dates in the site's time zone.</summary>
    public Task<CsvImportReport> ImportAsync(TextReader reader, IProgress<int>? progress, CancellationToken cancellationToken) =>
        ImportAsync(reader, null, progress, cancellationToken);

    /// <summary>
    /// Reads the file, its long dates in <paramref name="timeZone"/> (the exporting user's zone, IANA; null:
    /// the site's). A file whose columns cannot be mapped is a <see cref="FormatException"/> naming the
    /// headings it has and those it needs; nothing is written then.
    /// </summary>
    public async Task<CsvImportReport> ImportAsync(TextReader reader, string? timeZone, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var zone = TimeZones.FindOrThrow(timeZone ?? platform.Value.TimeZone);
        var csv = new CsvRecordReader(reader);
        csv.Delimiter = await csv.SniffDelimiterAsync(Delimiters, cancellationToken);
        var header = await csv.ReadAsync(cancellationToken) ?? throw new FormatException("The file is empty.");
        if (header.Problem is not null)
        {
            throw new FormatException($"The header cannot be read: {header.Problem}.");
        }
        var names = header.Fields;
        var map = MapColumns(names);
        if (MappingProblem(names, map) is { } unmapped)
        {
            throw new FormatException(unmapped);
        }

        var run = new Run();
        var matcher = new Matcher(map, names);
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
                var row = map.Where(m => m.Value < record.Fields.Count).ToDictionary(m => m.Key, m => Clean(record.Fields[m.Value]));
                if (NamesNobody(row))
                {
                    run.Skipped++;
                }
                else if (Problem(row, map, zone) is { } problem)
                {
                    run.Reject(record.Line, problem.Field, problem.Reason);
                }
                else
                {
                    await matcher.LoadAsync(courses, learners, cancellationToken);
                    if (matcher.Resolve(row) is { } refused)
                    {
                        run.Reject(record.Line, refused.Field, refused.Reason);
                    }
                    else
                    {
                        chunk.Add(ToRow(record.Line, row, zone, clock.GetUtcNow()));
                    }
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
            "CSV import: {Rows} rows, {Courses} courses, {Learners} learners, {Enrolments} enrolments, {Rejected} refused, {Skipped} naming nobody",
            rows, run.Courses.Created + run.Courses.Updated, run.Learners.Created + run.Learners.Updated,
            run.Enrolments.Created + run.Enrolments.Updated, run.RejectedTotal, run.Skipped);
        return new CsvImportReport(rows, run.Courses, run.Learners, run.Enrolments, run.Rejected, run.RejectedTotal, run.RejectedTotal - run.Rejected.Count, run.Skipped);
    }

    /// <summary>One valid row, typed: what it says about the course, the person and the enrolment, and the enrolment plugin its method names.</summary>
    private sealed record CsvRow(int Line, long CourseId, long LearnerId, CoursePatch Course, LearnerPatch Learner, EnrolmentUpsert Enrolment, string? Plugin, DateTimeOffset? CompletedAt);

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
        public int Skipped { get; set; }

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
    /// Names to ids, case-insensitive, under two keys per record (a course's short and full name, a learner's
    /// username and email): each name leads to one id or, when several records share it, to all of them.
    /// </summary>
    private sealed class NameIndex
    {
        private readonly Dictionary<string, long>[] _one = [new(StringComparer.OrdinalIgnoreCase), new(StringComparer.OrdinalIgnoreCase)];
        private readonly Dictionary<string, List<long>>[] _many = [new(StringComparer.OrdinalIgnoreCase), new(StringComparer.OrdinalIgnoreCase)];

        public static NameIndex Of(IEnumerable<(long Id, string First, string Second)> records)
        {
            var index = new NameIndex();
            foreach (var (id, first, second) in records)
            {
                index.Add(0, first, id);
                index.Add(1, second, id);
            }
            return index;
        }

        public void Add(int key, string? name, long id)
        {
            if (string.IsNullOrEmpty(name))
            {
                return;
            }
            if (_many[key].TryGetValue(name, out var ids))
            {
                if (!ids.Contains(id))
                {
                    ids.Add(id);
                }
            }
            else if (!_one[key].TryGetValue(name, out var known))
            {
                _one[key][name] = id;
            }
            else if (known != id)
            {
                _one[key].Remove(name);
                _many[key][name] = [known, id];
            }
        }

        /// <summary>The ids under the name: none, one, or several (ambiguous).</summary>
        public List<long> Find(int key, string? name) =>
            string.IsNullOrEmpty(name) ? []
            : _one[key].TryGetValue(name, out var id) ? [id]
            : _many[key].TryGetValue(name, out var ids) ? ids
            : [];
    }

    /// <summary>
    /// Finds each line's course and person: by id when the file has id columns (checked against the unique
    /// names the line gives: a course's short name, a person's username, else their email), else by name
    /// among the stored records. Each index is read once per import, when a line first needs it.
    /// </summary>
    private sealed class Matcher(Dictionary<string, int> map, IReadOnlyList<string> headings)
    {
        private const int ShortName = 0, FullName = 1, Username = 0, Email = 1;

        private NameIndex? _courses;
        private NameIndex? _learners;

        private bool NeedsCourses => map.ContainsKey("courseShortName") || !map.ContainsKey("courseId");
        private bool NeedsLearners => map.ContainsKey("username") || map.ContainsKey("email");

        public async Task LoadAsync(CourseStore courses, LearnerStore learners, CancellationToken cancellationToken)
        {
            if (NeedsCourses && _courses is null)
            {
                _courses = NameIndex.Of(await courses.NamesAsync(cancellationToken));
            }
            if (NeedsLearners && _learners is null)
            {
                _learners = NameIndex.Of(await learners.IdentitiesAsync(cancellationToken));
            }
        }

        /// <summary>Sets the row's <c>courseId</c> and <c>learnerId</c>, or says why the line is refused.</summary>
        public (string Field, string Reason)? Resolve(Dictionary<string, string> row) => ResolveCourse(row) ?? ResolveLearner(row);

        private (string Field, string Reason)? ResolveCourse(Dictionary<string, string> row)
        {
            var shortName = Value(row, "courseShortName");
            var fullName = Value(row, "courseFullName");
            if (map.ContainsKey("courseId"))
            {
                // Short names are unique in Moodle: one stored under another id says the id column is not Moodle's course id.
                var id = long.Parse(row["courseId"], CultureInfo.InvariantCulture);
                if (_courses?.Find(ShortName, shortName) is [var named] && named != id)
                {
                    return ("courseId", $"the course with the short name '{shortName}' is course {named} here, not {id}: is the column '{Heading("courseId")}' Moodle's course id (and not an ID number)?");
                }
                _courses?.Add(ShortName, shortName, id);
                return null;
            }
            var byShortName = _courses!.Find(ShortName, shortName);
            var (found, field, kind, name) = byShortName.Count > 0 || fullName is null
                ? (byShortName, "courseShortName", "short name", shortName)
                : (_courses.Find(FullName, fullName), "courseFullName", "full name", fullName);
            return found.Count switch
            {
                1 => Set(row, "courseId", found[0]),
                0 => (field, name is null
                    ? "the line names no course"
                    : $"no course with the {kind} '{name}' is known here (courses come from Moodle: the plugin, the sync, events or the snapshot upsert)"),
                _ => (field, $"the {kind} '{name}' is shared by courses {string.Join(", ", found.Order())}: give the short name"),
            };
        }

        private (string Field, string Reason)? ResolveLearner(Dictionary<string, string> row)
        {
            var username = Value(row, "username");
            var email = Value(row, "email");
            if (map.ContainsKey("learnerId"))
            {
                // Usernames are unique in Moodle; the email speaks only when the line has no username.
                var id = long.Parse(row["learnerId"], CultureInfo.InvariantCulture);
                var (key, name, what) = username is not null ? (Username, username, "username") : (Email, email, "email");
                if (_learners?.Find(key, name) is [var named] && named != id)
                {
                    return ("learnerId", $"the {what} '{name}' is learner {named} here, not {id}: is the column '{Heading("learnerId")}' Moodle's user id (and not an ID number)?");
                }
                _learners?.Add(key, name, id);
                return null;
            }
            var byUsername = _learners!.Find(Username, username);
            var byEmail = _learners.Find(Email, email);
            if (byUsername is [var user] && byEmail is [var mail] && user != mail)
            {
                return ("email", $"the username '{username}' is learner {user} but the email '{email}' is learner {mail}");
            }
            if (byUsername is [var one])
            {
                return Set(row, "learnerId", one);
            }
            if (byEmail is [var only])
            {
                return Set(row, "learnerId", only);
            }
            if (byEmail.Count > 1)
            {
                return ("email", $"the email '{email}' is shared by learners {string.Join(", ", byEmail.Order())}: give the username");
            }
            return username is null && email is null
                ? ("username", "the line names no person")
                : (username is null ? "email" : "username",
                    $"no learner with {string.Join(" or ", new[] { username is null ? null : $"the username '{username}'", email is null ? null : $"the email '{email}'" }.OfType<string>())} is known here (people come from Moodle: the plugin, the sync or the snapshot upsert)");
        }

        private static (string Field, string Reason)? Set(Dictionary<string, string> row, string field, long id)
        {
            row[field] = id.ToString(CultureInfo.InvariantCulture);
            return null;
        }

        private static string? Value(Dictionary<string, string> row, string field) => row.GetValueOrDefault(field) is { Length: > 0 } text ? text : null;

        private string Heading(string field) => headings[map[field]].Trim().Trim(Marks);
    }

    /// <summary>
    /// Writes one chunk through the records' merge rules (courses, then learners, then enrolments), in bulk:
    /// each kind is read by key ranges and written in batches or in parallel.
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
            var course = (stored ?? new Course { Id = row.CourseId }).With(row.Course);
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
            var learner = (stored ?? new Learner { Id = row.LearnerId }).With(row.Learner);
            if (learner.Problem() is { } problem)
            {
                run.Reject(row.Line, "email", $"email {problem}");
                run.LearnerRejected();
                learnersRefused++;
                profiles[row.LearnerId] = stored;
                continue;
            }
            profiles[row.LearnerId] = learner;
            run.CountLearner(row.LearnerId, stored is not null);
            if (learner != stored)
            {
                patches.Add(row.Learner);
            }
        }

        // The report writes a line per role a person holds: the course's roles are those of all their lines.
        var roles = chunk.Where(r => r.Enrolment.Roles is not null).GroupBy(r => (r.CourseId, r.LearnerId))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.SelectMany(r => r.Enrolment.Roles!).Distinct()]);

        // The learners are written while the snapshots are read and their index rows written; the snapshots,
        // which copy the learners' profiles, only after them (as the snapshot upsert orders it).
        Task learnersSaved = patches.Count > 0
            ? directory.UpdateManyAsync(patches, chunk.Select(r => (r.CourseId, r.LearnerId)).ToHashSet(), cancellationToken)
            : Task.CompletedTask;
        var now = clock.GetUtcNow();
        EnrolmentUpsert UpsertOf(CsvRow row, EnrolmentSnapshot snapshot)
        {
            var upsert = EnrolmentFor(row, snapshot);
            return roles.TryGetValue((row.CourseId, row.LearnerId), out var all) ? upsert with { Roles = all } : upsert;
        }
        var changes = chunk.Select(r => new SnapshotChange(r.CourseId, r.LearnerId, s => UpsertOf(r, s).ApplyTo(s, profiles[r.LearnerId], now).WithCompletion(r.CompletedAt))).ToList();
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
        var created = chunk.Where((r, i) => UpsertOf(r, results[i].Before).IsNewIn(results[i].Before)).Count();
        run.Enrolments = run.Enrolments with { Created = run.Enrolments.Created + created, Updated = run.Enrolments.Updated + chunk.Count - created };

        Telemetry.SnapshotItems.Add(courseRows.Count, new("kind", "courses"), new("outcome", "upserted"));
        Telemetry.SnapshotItems.Add(learnerRows.Count - learnersRefused, new("kind", "learners"), new("outcome", "upserted"));
        Telemetry.SnapshotItems.Add(learnersRefused, new("kind", "learners"), new("outcome", "rejected"));
        Telemetry.SnapshotItems.Add(created, new("kind", "enrolments"), new("outcome", "created"));
        Telemetry.SnapshotItems.Add(chunk.Count - created, new("kind", "enrolments"), new("outcome", "updated"));
    }

    /// <summary>
    /// The enrolment a row speaks of: the report gives no enrolment id, so the one Moodle's events or the
    /// plugin stored for the same method (manual, self...) when there is exactly one, else the import's own
    /// id for the method.
    /// </summary>
    private static EnrolmentUpsert EnrolmentFor(CsvRow row, EnrolmentSnapshot snapshot) =>
        row.Plugin is { } plugin && snapshot.Enrolments.Where(e => e.Id > 0 && e.RemovedAt is null && e.Method == plugin).ToList() is [var known]
            ? row.Enrolment with { Id = known.Id, Method = null }
            : row.Enrolment;

    private static CsvRow ToRow(int line, Dictionary<string, string> row, TimeZoneInfo zone, DateTimeOffset now)
    {
        string? Text(string field) => row.GetValueOrDefault(field) is { Length: > 0 } text ? text : null;
        DateTimeOffset? DateOf(string field) => row.TryGetValue(field, out var text) ? Date(text, zone) : null;
        var method = Text("method");
        var (start, end) = (DateOf("start"), DateOf("end"));
        var enrolment = new EnrolmentUpsert
        {
            Id = EnrolmentId(method),
            Method = method,
            Status = Status(Text("status"), start, end, now),
            HasStart = row.ContainsKey("start"),
            Start = start,
            HasEnd = row.ContainsKey("end"),
            End = end,
            LastAccess = DateOf("lastAccess"),
            Roles = Roles(Text("roles")),
        };
        var course = new CoursePatch(
            Text("courseShortName"), StripLink(Text("courseFullName")),
            HasStart: row.ContainsKey("courseStart"), Start: DateOf("courseStart"), HasEnd: row.ContainsKey("courseEnd"), End: DateOf("courseEnd"));
        var learnerId = long.Parse(row["learnerId"], CultureInfo.InvariantCulture);
        var learner = new LearnerPatch(learnerId)
        {
            Username = Text("username"), Email = Text("email"), FirstName = Text("firstName"), LastName = Text("lastName"),
            Lang = Lang(Text("lang")), TimeZone = TimeZone(Text("timeZone")),
        };
        return new CsvRow(
            line, long.Parse(row["courseId"], CultureInfo.InvariantCulture), learnerId,
            // A completion merges as any other seen (the first counts): an export older than an event never takes one back.
            course, learner, enrolment, Plugin(method), DateOf("completedAt"));
    }

    /// <summary>The name of a column for a refusal: the field it feeds, else its header.</summary>
    private static string ColumnName(IReadOnlyList<string> names, Dictionary<string, int> map, int column) =>
        map.FirstOrDefault(m => m.Value == column).Key
        ?? (column < names.Count && names[column].Trim() is { Length: > 0 } name ? name : $"column {column + 1}");

    /// <summary>A line of the report for an enrolment method that nobody uses (guest access, self enrolment): no person in it.</summary>
    private static bool NamesNobody(Dictionary<string, string> row) =>
        PersonFields.All(f => row.GetValueOrDefault(f) is null or "");

    private static readonly string[] PersonFields = ["learnerId", "username", "email", "firstName", "lastName"];
    private static readonly string[] CourseKeys = ["courseId", "courseShortName", "courseFullName"];
    private static readonly string[] PersonKeys = ["learnerId", "username", "email"];

    private static (string Field, string Reason)? Problem(Dictionary<string, string> row, Dictionary<string, int> map, TimeZoneInfo zone)
    {
        foreach (var id in new[] { "courseId", "learnerId" })
        {
            if (map.ContainsKey(id) && (!long.TryParse(row.GetValueOrDefault(id), NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0))
            {
                return (id, $"'{row.GetValueOrDefault(id)}' is not an id");
            }
        }
        foreach (var field in new[] { "start", "end", "lastAccess", "completedAt", "courseStart", "courseEnd" })
        {
            if (row.TryGetValue(field, out var text) && !Never.Contains(text.ToLowerInvariant()) && Parse(text, zone, out var outOfRange) is null)
            {
                return (field, outOfRange ? $"'{text}' is out of range ({SupportedDates.Description})" : $"'{text}' is not a date");
            }
        }
        if (row.GetValueOrDefault("status") is { Length: > 0 } status && StatusWord(status) is null)
        {
            return ("status", $"'{status}' is not an enrolment status (Active, Suspended or Not current; Actif, Suspendu or Pas à jour)");
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

    /// <summary>The enrolment plugin a method's name says (Moodle's names in English and French, or the plugin's own), or null.</summary>
    private static string? Plugin(string? method)
    {
        if (method is null)
        {
            return null;
        }
        var name = Normalize(method);
        return name switch
        {
            "manual" or "manual enrolments" or "inscriptions manuelles" or "inscription manuelle" => "manual",
            "self" or "guest" or "cohort" or "meta" => name,
            _ when name.StartsWith("self enrolment", StringComparison.Ordinal) || name.StartsWith("auto-inscription", StringComparison.Ordinal) => "self",
            _ when name.StartsWith("guest access", StringComparison.Ordinal) || name.StartsWith("acces anonyme", StringComparison.Ordinal) => "guest",
            _ when name.StartsWith("cohort sync", StringComparison.Ordinal) || name.StartsWith("synchronisation des cohortes", StringComparison.Ordinal) => "cohort",
            _ => null,
        };
    }

    private enum StatusKind { Active, Suspended, NotCurrent }

    /// <summary>Moodle's enrolment statuses (enrol's participationactive, participationsuspended, participationnotcurrent) in English and French.</summary>
    private static StatusKind? StatusWord(string text) => Normalize(text) switch
    {
        "active" or "actif" or "0" => StatusKind.Active,
        "suspended" or "suspendu" or "1" => StatusKind.Suspended,
        "not current" or "pas a jour" or "pas en cours" or "non courant" or "non actuel" => StatusKind.NotCurrent,
        _ => null,
    };

    /// <summary>
    /// "Not current" is Moodle's word for an active enrolment outside its dates (a start to come, an end gone) or
    /// in a disabled method: active when its dates explain it (the learner is welcomed when the start comes),
    /// suspended when they do not (the method is off).
    /// </summary>
    private static string? Status(string? text, DateTimeOffset? start, DateTimeOffset? end, DateTimeOffset now) => text is null ? null : StatusWord(text) switch
    {
        StatusKind.Active => "active",
        StatusKind.NotCurrent when start > now || end <= now => "active",
        _ => "suspended",
    };

    /// <summary>Role names as Moodle shows them (standard roles, English and French) to their short names; null unless every name is known.</summary>
    private static List<string>? Roles(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var roles = new List<string>();
        foreach (var name in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var role = Normalize(name) switch
            {
                "student" or "etudiant" => "student",
                "teacher" or "enseignant" => "editingteacher",
                "non-editing teacher" or "enseignant non editeur" => "teacher",
                "manager" or "gestionnaire" => "manager",
                "course creator" or "createur de cours" => "coursecreator",
                "guest" or "invite" => "guest",
                _ => null,
            };
            if (role is null)
            {
                // A renamed or custom role: its short name is unknown here, and guessing could silence a learner.
                return null;
            }
            roles.Add(role);
        }
        return roles.Count > 0 ? roles : null;
    }

    /// <summary>Moodle writes a language as "Français ‎(fr)‎": the code between the last parentheses; else a known name or the text.</summary>
    private static string? Lang(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (LangCode().Match(text) is { Success: true } code)
        {
            return code.Groups[1].Value.ToLowerInvariant();
        }
        var lower = text.ToLowerInvariant();
        return lower.StartsWith("fr", StringComparison.Ordinal) || lower.Contains("français", StringComparison.Ordinal) ? "fr"
            : lower.StartsWith("en", StringComparison.Ordinal) || lower.Contains("english", StringComparison.Ordinal) || lower.Contains("anglais", StringComparison.Ordinal) ? "en"
            : lower;
    }

    [GeneratedRegex(@"\(([A-Za-z]{2,3}(?:_[A-Za-z0-9]+)*)\)\s*$")]
    private static partial Regex LangCode();

    /// <summary>
    /// A time zone as the report shows it: an IANA name; "Server timezone (Europe/Paris)" / "Fuseau horaire du
    /// serveur (...)" is Moodle's 99 (the site's); "UTC+2" is a fixed offset; anything else is not read (kept).
    /// </summary>
    private static string? TimeZone(string? text)
    {
        if (text is null)
        {
            return null;
        }
        if (TimeZoneInfo.TryFindSystemTimeZoneById(text, out _))
        {
            return text;
        }
        if (text.EndsWith(')') && text.LastIndexOf('(') is > 0 and var open && TimeZoneInfo.TryFindSystemTimeZoneById(text[(open + 1)..^1], out _))
        {
            return TimeZones.MoodleSiteDefault;
        }
        if (text.StartsWith("UTC", StringComparison.Ordinal) && text.Length > 4 && text[3] is '+' or '-'
            && int.TryParse(text.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var hours) && hours <= 14)
        {
            // Etc/GMT signs are the other way round: UTC+2 is Etc/GMT-2.
            return $"Etc/GMT{(text[3] == '+' ? '-' : '+')}{hours}";
        }
        return null;
    }

    private static string? StripLink(string? text) =>
        text is not null && text.Contains('<', StringComparison.Ordinal) ? Regex.Replace(text, "<[^>]+>", "").Trim() : text;

    /// <summary>A cell without its surrounding spaces and direction marks.</summary>
    private static string Clean(string field) =>
        field.AsSpan().IndexOfAny(Marks) < 0 ? field.Trim() : string.Concat(field.Split(Marks)).Trim();

    /// <summary>ISO 8601, Unix seconds, or Moodle's long dates in French or English (local time of <paramref name="zone"/>).</summary>
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

    /// <summary>A date written in local time (a time skipped by daylight saving moves forward, as the engine's do).</summary>
    private static DateTimeOffset? Local(DateTime local, TimeZoneInfo zone, out bool outOfRange)
    {
        // Far from the ends of what a DateTimeOffset holds, where a zone's offset would carry it past them.
        outOfRange = local.Year is < 1970 or >= 9000;
        return outOfRange ? null : Zones.AtLocal(local, zone);
    }

    private static Dictionary<string, int> MapColumns(IReadOnlyList<string> names)
    {
        var map = new Dictionary<string, int>();
        var rank = new Dictionary<string, int>();
        for (var i = 0; i < names.Count; i++)
        {
            var name = Normalize(names[i]);
            foreach (var (field, headers) in Columns)
            {
                var at = Array.IndexOf(headers, name);
                if (at >= 0 && (!rank.TryGetValue(field, out var best) || at < best))
                {
                    map[field] = i;
                    rank[field] = at;
                }
            }
        }
        // One column feeds one field: a heading that fits two ("date de debut" for a start, say) feeds the first listed.
        foreach (var duplicate in map.GroupBy(m => m.Value).Where(g => g.Count() > 1))
        {
            foreach (var extra in duplicate.Skip(1))
            {
                map.Remove(extra.Key);
            }
        }
        return map;
    }

    /// <summary>Null when the file has a column for the course and one for the person; else the message that says what it has and needs.</summary>
    private static string? MappingProblem(IReadOnlyList<string> names, Dictionary<string, int> map)
    {
        var course = CourseKeys.Any(map.ContainsKey);
        var person = PersonKeys.Any(map.ContainsKey);
        if (course && person)
        {
            return null;
        }
        var seen = string.Join(", ", names.Select(n => $"\"{n.Trim().Trim(Marks)}\""));
        var needs = new List<string>();
        if (!course)
        {
            needs.Add("a course: \"Course short name\", \"Course full name\" or \"Course ID\" (\"Nom abrégé du cours\", \"Nom complet du cours\" or \"ID du cours\")");
        }
        if (!person)
        {
            needs.Add("a person: \"Username\", \"Email address\" or \"User ID\" (\"Nom d'utilisateur\", \"Adresse de courriel\" or \"ID utilisateur\")");
        }
        return $"The columns cannot be mapped: the file's headings are {seen}; it needs a column for {string.Join(" and one for ", needs)}.";
    }

    /// <summary>Lower case, without accents or direction marks, after any "Entity: " prefix of a report column.</summary>
    private static string Normalize(string header)
    {
        var text = Clean(header).Trim('"');
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            text = text[(colon + 1)..];
        }
        var decomposed = text.Trim().ToLowerInvariant().Normalize(NormalizationForm.FormD);
        return new string([.. decomposed.Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)]).Replace('’', '\'');
    }
}
