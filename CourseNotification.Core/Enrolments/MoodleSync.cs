using System.Globalization;
using System.Text.Json.Nodes;
using CourseNotification.Settings;
using CourseNotification.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CourseNotification.Enrolments;

/// <summary>
/// What a pull sync did; <see cref="Error"/> when it could not read Moodle at all. <see cref="CompletionErrors"/>:
/// the completion answers Moodle refused, by error code (the people concerned are synced all the same);
/// <see cref="Ended"/>: enrolments ended because a full listing of their course no longer has them.
/// </summary>
public sealed record SyncReport(int Courses, int Learners, int FailedCourses, string? Error)
{
    /// <summary>Whether the plugin's <c>local_coursenotification_get_course_state</c> was read (else the core functions).</summary>
    public bool Plugin { get; init; }

    public int Ended { get; init; }

    public IReadOnlyDictionary<string, int> CompletionErrors { get; init; } = new Dictionary<string, int>();

    /// <summary>People or courses the writer refused (an email that is not an address...), skipped.</summary>
    public int Refused { get; init; }

    /// <summary>One line for the overview and the command line.</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"{Courses} course(s), {Learners} enrolled user(s) from {(Plugin ? "the plugin's course state" : "the core web services")}; {Ended} enrolment(s) ended")
        + (CompletionErrors.Count == 0 ? "" : "; completion not read: " + string.Join(", ", CompletionErrors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key} {e.Value}")))
        + (Refused == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"; {Refused} item(s) refused"));
}

/// <summary>
/// The pull sync (timer and <c>cn sync</c>), course by course (docs/moodle.md, pull sync). With the companion
/// plugin, <c>local_coursenotification_get_course_state</c> gives each enrolment's method, status, start and end,
/// and each person's language and resolved zone: the same state as the plugin's envelopes. Without it (Moodle
/// answers <c>invalidrecord</c> for a function it does not know, <c>accessexception</c> for one outside the
/// token's service), the core functions: <c>core_enrol_get_enrolled_users</c> twice (everyone, then
/// <c>onlyactive=1</c>: who is neither suspended nor before their start), <c>core_user_get_users_by_field</c>
/// in batches (language, zone, account suspension) and <c>core_completion_get_course_completion_status</c> for
/// the active learners not known to have completed. Either way, an enrolment that a full listing of its course
/// no longer has is ended (a tombstone, as <c>user_enrolment_deleted</c> leaves it), and everything is written
/// by the writer of the plugin's state (<see cref="SnapshotIngest.ApplyStateAsync"/>), with the records' merge rules.
/// </summary>
public sealed class MoodleSync(
    MoodleWebService moodle, SnapshotIngest writer, SnapshotStore snapshots, HealthStore health,
    IOptions<MoodleOptions> options, IOptions<PlatformOptions> platform, TimeProvider clock, ILogger<MoodleSync> logger)
{
    /// <summary>The id of the enrolment a sync creates when Moodle names none (core functions): Moodle's ids start at 1.</summary>
    public const long PulledEnrolmentId = 0;

    public const string CourseStateFunction = "local_coursenotification_get_course_state";

    /// <summary>People asked per <c>core_user_get_users_by_field</c> call.</summary>
    private const int UsersPerCall = 100;

    /// <summary>The plugin's largest page.</summary>
    private const int MaxStatePage = 1000;

    public async Task<SyncReport> SyncAsync(bool baseline, CancellationToken cancellationToken)
    {
        if (!moodle.Configured)
        {
            return new SyncReport(0, 0, 0, "Moodle__Url is not set: nothing to pull.");
        }
        JsonArray siteCourses;
        try
        {
            siteCourses = await moodle.CallAsync("core_course_get_courses", [], cancellationToken) as JsonArray ?? [];
        }
        catch (Exception e) when (e is MoodleWebServiceException or HttpRequestException)
        {
            logger.LogError("Pull sync could not list courses: {Error}", e.Message);
            await health.SyncEndedAsync(clock.GetUtcNow(), e.Message, cancellationToken);
            return new SyncReport(0, 0, 0, e.Message);
        }

        var run = new Run(baseline);
        bool? plugin = null;
        foreach (var node in siteCourses.OfType<JsonObject>())
        {
            var item = new JsonItem(node);
            var courseId = item.Id("id");
            if (item.Problem is not null || item.String("format") == "site")
            {
                continue;
            }
            try
            {
                if (plugin is not false)
                {
                    try
                    {
                        await SyncFromPluginAsync(courseId, run, cancellationToken);
                        plugin = true;
                        run.Courses++;
                        continue;
                    }
                    catch (MoodleWebServiceException e) when (plugin is null && IsUnavailableFunction(e))
                    {
                        logger.LogInformation("Pull sync: {Function} not available ({ErrorCode}): reading the core web services", CourseStateFunction, e.ErrorCode);
                        plugin = false;
                    }
                }
                await SyncFromCoreAsync(courseId, node, run, cancellationToken);
                run.Courses++;
            }
            catch (Exception e) when (e is MoodleWebServiceException or HttpRequestException or InvalidDataException)
            {
                run.Failed++;
                logger.LogError("Pull sync of course {CourseId} failed: {Error}", courseId, e.Message);
            }
        }
        var report = new SyncReport(run.Courses, run.Learners, run.Failed, null)
        {
            Plugin = plugin is true, Ended = run.Ended, CompletionErrors = run.CompletionErrors, Refused = run.Refused,
        };
        logger.LogInformation(
            "Pull sync ({Source}): {Courses} courses, {Learners} enrolled users, {Ended} enrolments ended, {CompletionErrors} completion answers refused, {Failed} courses failed",
            report.Plugin ? "plugin" : "core", report.Courses, report.Learners, report.Ended, run.CompletionErrors.Values.Sum(), report.FailedCourses);
        await health.SyncEndedAsync(clock.GetUtcNow(), run.Failed == 0 ? null : $"{run.Failed} course(s) failed", report.Summary, cancellationToken);
        return report;
    }

    /// <summary>
    /// Whether Moodle refused the plugin's function itself, as a real Moodle 4.5 does: <c>invalidrecord</c> in table
    /// <c>external_functions</c> when no plugin declares it, <c>accessexception</c> when it is not in the token's
    /// service (the course list was just read with the same token, so the refusal is not about the token).
    /// </summary>
    internal static bool IsUnavailableFunction(MoodleWebServiceException e) =>
        e.ErrorCode == "accessexception" || (e.ErrorCode == "invalidrecord" && e.Message.Contains("external_functions", StringComparison.Ordinal));

    /// <summary>The plugin's state of one course, page by page, each page written as the plugin's envelopes are; then the enrolments it no longer has are ended.</summary>
    private async Task SyncFromPluginAsync(long courseId, Run run, CancellationToken cancellationToken)
    {
        var readAt = clock.GetUtcNow();
        var perPage = Math.Min(options.Value.PageSize, MaxStatePage);
        var listed = new HashSet<(long LearnerId, long EnrolmentId)>();
        for (var page = 0; ; page++)
        {
            var answer = await moodle.CallAsync(CourseStateFunction,
                [MoodleWebService.Parameter("courseid", courseId), MoodleWebService.Parameter("page", page), MoodleWebService.Parameter("perpage", perPage)],
                cancellationToken) as JsonObject ?? throw new InvalidDataException($"{CourseStateFunction} answered something other than an object.");
            var state = new JsonObject
            {
                ["courses"] = new JsonArray(answer["course"]?.DeepClone()),
                ["learners"] = answer["learners"]?.DeepClone() ?? new JsonArray(),
                ["enrolments"] = answer["enrolments"]?.DeepClone() ?? new JsonArray(),
            };
            if (SnapshotIngest.StateShapeProblem(state) is { } problem)
            {
                throw new InvalidDataException($"{CourseStateFunction}: {problem} is not what ENVELOPE.md gives.");
            }
            foreach (var enrolment in state["enrolments"]!.AsArray().OfType<JsonObject>())
            {
                var row = new JsonItem(enrolment);
                listed.Add((row.Long("learnerId") ?? 0, row.Long("id") ?? 0));
            }
            var (applied, _) = await writer.ApplyStateAsync(state, readAt, [], cancellationToken);
            run.Refused += applied.Rejected.Count;
            if (answer["hasmore"]?.GetValueKind() is not System.Text.Json.JsonValueKind.True)
            {
                break;
            }
        }
        run.Learners += listed.Select(l => l.LearnerId).Distinct().Count();
        await EndUnlistedAsync(courseId, readAt, (learnerId, enrolment) => !listed.Contains((learnerId, enrolment.Id)), [], run, cancellationToken);
    }

    /// <summary>One course from the core functions: who is enrolled, who of them is active, their profiles and, for active learners, completion.</summary>
    private async Task SyncFromCoreAsync(long courseId, JsonObject moodleCourse, Run run, CancellationToken cancellationToken)
    {
        var readAt = clock.GetUtcNow();
        var everyone = await ListEnrolledAsync(courseId, onlyActive: false, cancellationToken);
        var active = (await ListEnrolledAsync(courseId, onlyActive: true, cancellationToken)).Select(u => u.Id).ToHashSet();
        var profiles = await UsersAsync(everyone.Select(u => u.Id), cancellationToken);
        var stored = await StoredAsync(courseId, cancellationToken);
        var completion = await CompletionsAsync(courseId, moodleCourse, everyone.Where(u => active.Contains(u.Id)), stored, run, cancellationToken);

        var course = new JsonItem(moodleCourse);
        var state = new JsonObject
        {
            ["courses"] = new JsonArray(CourseState(moodleCourse)),
            ["learners"] = new JsonArray([.. profiles.Values.Select(LearnerState)]),
        };
        var start = run.Baseline ? course.Date("startdate") ?? readAt : readAt;
        var changes = everyone.Select(user => new SnapshotChange(courseId, user.Id, s => s.StateAt > readAt ? s
            : s.WithListedEnrolment(active.Contains(user.Id), start, readAt)
                .WithRoles(user.Roles)
                // Moodle's last course access is the latest; it is also the first when none is known.
                .WithAccess(null, user.LastCourseAccess)
                .WithCompletion(completion.TryGetValue(user.Id, out var completedAt) ? completedAt : null))).ToList();
        var (applied, _) = await writer.ApplyStateAsync(state, readAt, changes, cancellationToken);
        run.Refused += applied.Rejected.Count;
        run.Learners += everyone.Count;
        var listed = everyone.Select(u => u.Id).ToHashSet();
        await EndUnlistedAsync(courseId, readAt, (learnerId, _) => !listed.Contains(learnerId), stored, run, cancellationToken);
    }

    /// <summary>An enrolled user as <c>core_enrol_get_enrolled_users</c> gives them.</summary>
    private sealed record Listed(long Id, IReadOnlyList<string>? Roles, DateTimeOffset? LastCourseAccess);

    /// <summary>Every enrolled user of a course (or only the active ones), page by page.</summary>
    private async Task<List<Listed>> ListEnrolledAsync(long courseId, bool onlyActive, CancellationToken cancellationToken)
    {
        var pageSize = options.Value.PageSize;
        var users = new List<Listed>();
        for (var from = 0; ; from += pageSize)
        {
            List<KeyValuePair<string, string>> parameters =
            [
                MoodleWebService.Parameter("courseid", courseId),
                new("options[0][name]", "limitfrom"), MoodleWebService.Parameter("options[0][value]", from),
                new("options[1][name]", "limitnumber"), MoodleWebService.Parameter("options[1][value]", pageSize),
            ];
            if (onlyActive)
            {
                parameters.AddRange([new("options[2][name]", "onlyactive"), new("options[2][value]", "1")]);
            }
            var page = await moodle.CallAsync("core_enrol_get_enrolled_users", parameters, cancellationToken) as JsonArray ?? [];
            foreach (var user in page.OfType<JsonObject>())
            {
                var item = new JsonItem(user);
                var id = item.Id("id");
                var lastAccess = item.Date("lastcourseaccess");
                if (item.Problem is null)
                {
                    users.Add(new Listed(id, (user["roles"] as JsonArray)?.OfType<JsonObject>().Select(r => r["shortname"]?.ToString()).OfType<string>().ToList(), lastAccess));
                }
            }
            if (page.Count < pageSize)
            {
                return users;
            }
        }
    }

    /// <summary>The people's profiles from <c>core_user_get_users_by_field</c> (field id), a batch per call; someone Moodle does not return is left out.</summary>
    private async Task<Dictionary<long, JsonObject>> UsersAsync(IEnumerable<long> ids, CancellationToken cancellationToken)
    {
        var found = new Dictionary<long, JsonObject>();
        foreach (var batch in ids.Distinct().Chunk(UsersPerCall))
        {
            var parameters = new List<KeyValuePair<string, string>> { new("field", "id") };
            parameters.AddRange(batch.Select((id, i) => MoodleWebService.Parameter($"values[{i}]", id)));
            var users = await moodle.CallAsync("core_user_get_users_by_field", parameters, cancellationToken) as JsonArray ?? [];
            foreach (var user in users.OfType<JsonObject>())
            {
                var item = new JsonItem(user);
                var id = item.Id("id");
                if (item.Problem is null)
                {
                    found[id] = user;
                }
            }
        }
        return found;
    }

    /// <summary>The course's stored snapshots by learner.</summary>
    private async Task<Dictionary<long, EnrolmentSnapshot>> StoredAsync(long courseId, CancellationToken cancellationToken)
    {
        var stored = new Dictionary<long, EnrolmentSnapshot>();
        await foreach (var page in snapshots.ListPagesAsync(courseId, 1000, cancellationToken))
        {
            foreach (var snapshot in page)
            {
                stored[snapshot.LearnerId] = snapshot;
            }
        }
        return stored;
    }

    /// <summary>
    /// When each active learner not known to have completed did (the latest criterion's time, or now when Moodle gives
    /// none). Only people holding a learner role are asked (Moodle answers usernotenroled for the others); a
    /// refusal for one person is counted and the others are asked; <c>cannotviewreport</c> (completion off in the
    /// course, or not readable with this token) is the same for everyone, so the course is asked no further.
    /// </summary>
    private async Task<Dictionary<long, DateTimeOffset>> CompletionsAsync(
        long courseId, JsonObject moodleCourse, IEnumerable<Listed> activeUsers, Dictionary<long, EnrolmentSnapshot> stored, Run run, CancellationToken cancellationToken)
    {
        var completed = new Dictionary<long, DateTimeOffset>();
        if (new JsonItem(moodleCourse).Bool("enablecompletion") is false)
        {
            return completed;
        }
        var learnerRoles = platform.Value.LearnerRoleSet;
        foreach (var user in activeUsers)
        {
            if (user.Roles?.Any(learnerRoles.Contains) != true || stored.GetValueOrDefault(user.Id)?.CompletedAt is not null)
            {
                continue;
            }
            JsonNode? answer;
            try
            {
                answer = await moodle.CallAsync("core_completion_get_course_completion_status",
                    [MoodleWebService.Parameter("courseid", courseId), MoodleWebService.Parameter("userid", user.Id)], cancellationToken);
            }
            catch (MoodleWebServiceException e)
            {
                run.CompletionErrors[e.ErrorCode] = run.CompletionErrors.GetValueOrDefault(e.ErrorCode) + 1;
                logger.LogInformation("Pull sync: no completion for learner {LearnerId} in course {CourseId} ({ErrorCode})", user.Id, courseId, e.ErrorCode);
                if (e.ErrorCode == "cannotviewreport")
                {
                    return completed;
                }
                continue;
            }
            var status = answer?["completionstatus"];
            if (status?["completed"]?.GetValueKind() is not System.Text.Json.JsonValueKind.True)
            {
                continue;
            }
            var times = (status["completions"] as JsonArray)?.OfType<JsonObject>()
                .Select(c => new JsonItem(c).Date("timecompleted")).OfType<DateTimeOffset>().ToList() ?? [];
            completed[user.Id] = times.Count > 0 ? times.Max() : clock.GetUtcNow();
        }
        return completed;
    }

    /// <summary>
    /// Ends (tombstones) the live enrolments of the course's stored snapshots that the full listing just read no
    /// longer has, through the same writer.
    /// </summary>
    private async Task EndUnlistedAsync(
        long courseId, DateTimeOffset readAt, Func<long, Enrolment, bool> unlisted, Dictionary<long, EnrolmentSnapshot> stored, Run run, CancellationToken cancellationToken)
    {
        if (stored.Count == 0)
        {
            stored = await StoredAsync(courseId, cancellationToken);
        }
        var ends = stored.Values
            .SelectMany(s => s.Enrolments.Where(e => e.RemovedAt is null && unlisted(s.LearnerId, e)).Select(e => (s.LearnerId, EnrolmentId: e.Id)))
            .Select(gone => new SnapshotChange(courseId, gone.LearnerId, s => s.StateAt > readAt ? s : s.WithEnrolmentRemoved(gone.EnrolmentId, readAt), OnlyExisting: true))
            .ToList();
        if (ends.Count == 0)
        {
            return;
        }
        var (_, results) = await writer.ApplyStateAsync([], readAt, ends, cancellationToken);
        run.Ended += results.Count(r => r.After is not null);
    }

    /// <summary>A course of <c>core_course_get_courses</c> in the state's names (ENVELOPE.md).</summary>
    private static JsonObject CourseState(JsonObject course)
    {
        var state = new JsonObject();
        foreach (var (from, to) in new[] { ("id", "id"), ("shortname", "shortName"), ("fullname", "fullName"), ("startdate", "startDate"), ("enddate", "endDate"), ("visible", "visible") })
        {
            if (course[from] is { } value)
            {
                state[to] = value.DeepClone();
            }
        }
        return state;
    }

    /// <summary>A person of <c>core_user_get_users_by_field</c> in the state's names, the zone resolved ("99": the site's).</summary>
    private JsonNode LearnerState(JsonObject user)
    {
        var state = new JsonObject();
        foreach (var (from, to) in new[] { ("id", "id"), ("username", "username"), ("email", "email"), ("firstname", "firstName"), ("lastname", "lastName"), ("lang", "lang"), ("suspended", "suspended") })
        {
            if (user[from] is { } value)
            {
                state[to] = value.DeepClone();
            }
        }
        if (user["timezone"]?.ToString() is { } zone)
        {
            state["timeZone"] = zone == Signals.TimeZones.MoodleSiteDefault ? SiteZone : zone;
        }
        return state;
    }

    /// <summary>What "99" means: <c>Moodle__SiteTimeZone</c>, else <c>Platform__TimeZone</c>.</summary>
    private string SiteZone => options.Value.SiteTimeZone is { Length: > 0 } zone ? zone : platform.Value.TimeZone;

    private sealed class Run(bool baseline)
    {
        public bool Baseline { get; } = baseline;
        public int Courses { get; set; }
        public int Learners { get; set; }
        public int Failed { get; set; }
        public int Ended { get; set; }
        public int Refused { get; set; }
        public Dictionary<string, int> CompletionErrors { get; } = new(StringComparer.Ordinal);
    }
}
