using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CourseNotification.Observability;
using CourseNotification.Settings;
using CourseNotification.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CourseNotification.Enrolments;

/// <summary>What happened to a push: events received, applied, ignored (unknown or without effect), and whether it was a replay.</summary>
public sealed record EventReport(int Received, int Applied, int Ignored, bool Duplicate = false);

/// <summary>Why a push was refused as a whole (nothing applied).</summary>
public sealed class EventRejectedException(int status, string field, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Field { get; } = field;
}

/// <summary>
/// One Moodle event as <c>\core\event\base::get_data()</c> serialises it, its numbers read leniently, and
/// every value of <c>other</c> it will use already read and checked (so applying it cannot fail on its content).
/// </summary>
internal sealed record MoodleEvent(string Name, long CourseId, long UserId, long RelatedUserId, long ObjectId, DateTimeOffset Time)
{
    /// <summary>user_enrolment_created: the enrolment method (other.enrol).</summary>
    public string Method { get; init; } = "manual";

    /// <summary>user_enrolment_deleted: the enrolment row as it was (other.userenrolment).</summary>
    public (DateTimeOffset? Created, DateTimeOffset? Start, DateTimeOffset? End) Row { get; init; }

    /// <summary>course_updated: the changed fields Moodle lists in other.updatedfields (null: none this service uses).</summary>
    public CoursePatch? Changes { get; init; }

    /// <summary>course_module_completion_updated set by someone else (other.overrideby): not the learner's access.</summary>
    public bool Overridden { get; init; }

    /// <summary>course_module_completion_updated: the activity (course module id, contextinstanceid), when the learner completed it (other.completionstate 1 complete or 2 passed); 0 otherwise.</summary>
    public long CompletedActivity { get; init; }

    /// <summary>A learner-participation event (an activity viewed, a submission, a post...): the actor came to the course.</summary>
    public bool Participation { get; init; }
}

/// <summary>The course fields a course_updated event may change; an absent field is left as it is.</summary>

/// <summary>
/// <c>POST /api/moodle/events</c> (docs/moodle.md, event push): one event or an array, plain (shared token in the
/// body) or wrapped in signed Standard Webhooks envelopes. Everything is checked before anything is
/// applied; events apply so that a replay or an older event never moves a snapshot backwards.
/// </summary>
public sealed class MoodleEventIngest(
    SnapshotStore snapshots,
    LearnerStore learners,
    CourseStore courses,
    LearnerErasure erasure,
    WebhookVerifier verifier,
    WebhookReplayStore replays,
    HealthStore health,
    IOptions<MoodleOptions> moodle,
    TimeProvider clock,
    ILogger<MoodleEventIngest> logger)
{
    private const string Prefix = @"\core\event\";
    public const string EnrolmentCreatedEvent = Prefix + "user_enrolment_created";

    public async Task<EventReport> IngestAsync(JsonNode body, ReadOnlyMemory<byte> rawBody, WebhookHeaders headers, CancellationToken cancellationToken)
    {
        var signed = headers.Present;
        if (signed && verifier.Problem(headers, rawBody.Span) is { } problem)
        {
            throw new EventRejectedException(401, problem.Field, problem.Problem);
        }
        var items = body switch
        {
            JsonArray array => array.ToList(),
            JsonObject single => [single],
            _ => throw new EventRejectedException(400, "body", "The body must be a Moodle event (or a signed envelope), or an array of them."),
        };

        // Check everything first: a push with one bad event changes nothing.
        var events = new List<MoodleEvent?>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not JsonObject item)
            {
                throw new EventRejectedException(400, $"[{i}]", $"Event {i} is not a JSON object.");
            }
            JsonObject moodleEvent;
            if (signed)
            {
                moodleEvent = item["event"] as JsonObject ?? throw new EventRejectedException(400, $"[{i}].event", "A signed envelope carries the Moodle event in 'event'.");
            }
            else
            {
                CheckToken(item, i);
                // tool_trigger's HTTP request step sends the event flattened (other.x as other_x, all strings).
                moodleEvent = ToolTriggerStep.IsFlattened(item) ? ToolTriggerStep.Unflatten(item) : item;
            }
            events.Add(Parse(moodleEvent, $"[{i}]"));
        }

        var ignored = events.Count(e => e is null);
        if (ignored > 0)
        {
            // Counted, not named: a push may carry thousands of events this service does not use.
            logger.LogInformation("Ignored {Count} Moodle event(s) this service does not use", ignored);
        }
        if (signed && await replays.WasAcceptedAsync(headers.Id!, cancellationToken))
        {
            logger.LogInformation("Webhook {WebhookId} was accepted before: not applied again", headers.Id);
            return new EventReport(items.Count, 0, items.Count, Duplicate: true);
        }

        await health.EventReceivedAsync(clock.GetUtcNow(), cancellationToken);
        var applied = 0;
        foreach (var moodleEvent in events)
        {
            if (moodleEvent is not null && await ApplyAsync(moodleEvent, cancellationToken))
            {
                applied++;
            }
        }
        // Recorded once the whole batch is applied: a batch that failed half-way is applied again on the
        // sender's retry (every event applies so that applying it twice changes nothing), never skipped.
        if (signed)
        {
            await replays.RecordAsync(headers.Id!, clock.GetUtcNow(), cancellationToken);
        }
        Telemetry.MoodleEvents.Add(applied, new KeyValuePair<string, object?>("outcome", "applied"));
        Telemetry.MoodleEvents.Add(items.Count - applied, new KeyValuePair<string, object?>("outcome", "ignored"));
        return new EventReport(items.Count, applied, items.Count - applied);
    }

    private void CheckToken(JsonObject e, int index)
    {
        var expected = moodle.Value.WebhookTokens;
        if (expected.Count == 0)
        {
            if (moodle.Value.SecretKeys.Count > 0)
            {
                throw new EventRejectedException(401, "webhook-signature", "This service accepts signed webhooks only (no shared token is configured).");
            }
            return;
        }
        var token = e["token"]?.ToString();
        if (string.IsNullOrEmpty(token))
        {
            throw new EventRejectedException(401, $"[{index}].token", "The event carries no token.");
        }
        var given = Encoding.UTF8.GetBytes(token);
        if (!expected.Any(t => CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(t))))
        {
            throw new EventRejectedException(403, $"[{index}].token", "The event's token is not one this service accepts.");
        }
    }

    /// <summary>The event, or null when it is one this service does not use (accepted, counted as ignored).</summary>
    internal MoodleEvent? Parse(JsonObject node, string at)
    {
        var item = new JsonItem(node);
        var name = item.String("eventname");
        if (name is null)
        {
            throw new EventRejectedException(400, $"{at}.eventname", "The event has no eventname.");
        }
        if (IsParticipation(name, item))
        {
            // Course access by the actor (issue #18): one in no course, by nobody or anonymous is ignored.
            var (course, actor, anonymous) = (item.Long("courseid") ?? 0, item.Long("userid") ?? 0, item.Bool("anonymous") ?? false);
            var time = item.Date("timecreated");
            if (item.Problem is not null)
            {
                throw new EventRejectedException(400, $"{at}.{item.ProblemField}", $"{name}: {item.Problem}.");
            }
            return course > 0 && actor > 0 && !anonymous
                ? new MoodleEvent(name, course, actor, 0, 0, time ?? clock.GetUtcNow()) { Participation = true }
                : null;
        }
        var needs = Needs(name);
        if (needs is null)
        {
            return null;
        }
        // A needed id that is 0 or null (a role in a category, the front page seen by nobody) concerns no
        // learner in a course: the event is ignored. One that is not an integer, or negative, is refused.
        var concernsNobody = false;
        long Read(string field)
        {
            var value = item.Long(field) ?? 0;
            if (value < 0 && needs.Contains(field))
            {
                item.Reject(field, "must be a positive integer");
            }
            concernsNobody |= value <= 0 && needs.Contains(field);
            return value;
        }
        var parsed = new MoodleEvent(
            name, Read("courseid"), Read("userid"), Read("relateduserid"), Read("objectid"),
            item.Date("timecreated") ?? clock.GetUtcNow());
        if (ShortName(name) == "course_module_completion_updated")
        {
            // The module's context: its instance id is the course module id a campaign names (kept only for a completion, below).
            parsed = parsed with { CompletedActivity = item.Long("contextinstanceid") ?? 0 };
        }
        if (item.Problem is not null)
        {
            throw new EventRejectedException(400, $"{at}.{item.ProblemField}", $"{name}: {item.Problem}.");
        }
        if (concernsNobody)
        {
            return null;
        }
        var (withOther, details, prefix) = ReadOther(parsed, item.Object("other") ?? []);
        if (details.Problem is not null)
        {
            throw new EventRejectedException(400, $"{at}.other.{prefix}{details.ProblemField}", $"{name}: {details.Problem}.");
        }
        return withOther.Overridden ? null : withOther;
    }

    /// <summary>
    /// Learner participation (Moodle's edulevel 2: activity views, submissions, attempts, posts...) and any
    /// <c>\mod_*\event\course_module_viewed</c>: both say the actor was in the course.
    /// </summary>
    private static bool IsParticipation(string name, JsonItem item) =>
        (name.StartsWith(@"\mod_", StringComparison.Ordinal) && name.EndsWith(@"\course_module_viewed", StringComparison.Ordinal))
        || (!name.StartsWith(Prefix, StringComparison.Ordinal) && item.Has("edulevel") && item.Long("edulevel") == 2);

    /// <summary>What the event will use of <c>other</c>, read now so that a bad value refuses the whole push; the reader keeps the first problem and the prefix names where it was.</summary>
    private static (MoodleEvent Event, JsonItem Reader, string Prefix) ReadOther(MoodleEvent e, JsonObject other)
    {
        switch (ShortName(e.Name))
        {
            case "user_enrolment_created":
                var created = new JsonItem(other);
                return (e with { Method = created.String("enrol") ?? "manual" }, created, "");
            case "user_enrolment_deleted":
                var row = new JsonItem(other["userenrolment"] as JsonObject ?? []);
                return (e with { Row = (row.Date("timecreated"), row.Date("timestart"), row.Date("timeend")) }, row, "userenrolment.");
            case "course_updated" when other["updatedfields"] is JsonObject fields:
                var changed = new JsonItem(fields);
                return (e with { Changes = CoursePatch.Read(changed, moodleNames: true) }, changed, "updatedfields.");
            case "course_module_completion_updated":
                // A completion a teacher set (other.overrideby) says nothing of the learner's access.
                var completion = new JsonItem(other);
                var overrideBy = completion.Has("overrideby") && other["overrideby"] is not null ? completion.Long("overrideby") : null;
                // 1 complete, 2 complete and passed: the learner completed it (0 incomplete and 3 failed do not).
                var completed = completion.Long("completionstate") is 1 or 2;
                return (overrideBy is > 0 ? e with { Overridden = true } : completed ? e : e with { CompletedActivity = 0 }, completion, "");
            default:
                return (e, new JsonItem([]), "");
        }
    }

    private static string ShortName(string eventName) => eventName[(eventName.LastIndexOf('\\') + 1)..];

    /// <summary>The fields an event must carry to be applied; null for events this service does not use.</summary>
    private static string[]? Needs(string name) => ShortName(name) switch
    {
        _ when !name.StartsWith(Prefix, StringComparison.Ordinal) => null,
        "user_enrolment_created" or "user_enrolment_deleted" => ["courseid", "relateduserid", "objectid"],
        "user_enrolment_updated" => ["courseid", "relateduserid", "objectid"],
        "course_viewed" => ["courseid", "userid"],
        "course_completed" or "course_module_completion_updated" => ["courseid", "relateduserid"],
        "role_assigned" or "role_unassigned" => ["courseid", "relateduserid", "objectid"],
        "user_loggedin" => ["userid"],
        "user_updated" or "user_deleted" => ["relateduserid"],
        "course_updated" or "course_deleted" => ["courseid"],
        _ => null,
    };

    /// <summary>
    /// The change an event makes to one snapshot, for the events that change a snapshot alone (null for the
    /// others); <c>OnlyExisting</c>: an access or completion by someone not enrolled creates nothing.
    /// <paramref name="learner"/> is the stored learner of user_enrolment_created, whose profile it copies.
    /// </summary>
    internal SnapshotChange? SnapshotChangeOf(MoodleEvent e, Learner? learner)
    {
        switch (ShortName(e.Name))
        {
            case "user_enrolment_created":
                return new SnapshotChange(e.CourseId, e.RelatedUserId, s =>
                {
                    var profiled = learner is null ? s : s.WithProfile(LearnerProfile.Of(learner));
                    // An enrolment already known (from an upsert, or deleted since) keeps what is stored.
                    return s.Enrolments.Any(x => x.Id == e.ObjectId)
                        ? profiled
                        : profiled.WithEnrolment(new Enrolment { Id = e.ObjectId, Method = e.Method, Created = e.Time, EventAt = e.Time });
                });

            case "user_enrolment_deleted":
                return new SnapshotChange(e.CourseId, e.RelatedUserId, s =>
                {
                    var known = s.Enrolments.FirstOrDefault(x => x.Id == e.ObjectId);
                    if (known?.EventAt > e.Time)
                    {
                        return s;
                    }
                    return s.WithEnrolment((known ?? new Enrolment { Id = e.ObjectId, Created = e.Row.Created }) with
                    {
                        Start = known?.Start ?? e.Row.Start,
                        End = known?.End ?? e.Row.End,
                        Active = false,
                        RemovedAt = e.Time,
                        EventAt = e.Time,
                    });
                });

            case "course_module_completion_updated" when e.CompletedActivity > 0:
                return new SnapshotChange(e.CourseId, e.RelatedUserId, s => s.WithAccess(e.Time, e.Time).WithActivityCompletion(e.CompletedActivity, e.Time), OnlyExisting: true);

            case var _ when e.Participation:
            case "course_viewed" or "course_module_completion_updated":
                var who = e.Participation || e.Name.EndsWith("course_viewed", StringComparison.Ordinal) ? e.UserId : e.RelatedUserId;
                return new SnapshotChange(e.CourseId, who, s => s.WithAccess(e.Time, e.Time), OnlyExisting: true);

            case "course_completed":
                return new SnapshotChange(e.CourseId, e.RelatedUserId, s => s.WithCompletion(e.Time), OnlyExisting: true);

            case "role_assigned" or "role_unassigned":
                var role = moodle.Value.RoleNames.GetValueOrDefault(e.ObjectId) ?? $"role{e.ObjectId}";
                var assigned = e.Name.EndsWith("role_assigned", StringComparison.Ordinal);
                return new SnapshotChange(e.CourseId, e.RelatedUserId, s => s.WithRoleEvent(role, assigned, e.Time));

            default:
                return null;
        }
    }

    /// <summary>Whether the event needs the stored learner (see <see cref="SnapshotChangeOf"/>).</summary>
    internal static bool NeedsLearner(MoodleEvent e) => !e.Participation && ShortName(e.Name) == "user_enrolment_created";

    internal async Task<bool> ApplyAsync(MoodleEvent e, CancellationToken cancellationToken)
    {
        var learner = NeedsLearner(e) ? await learners.GetAsync(e.RelatedUserId, cancellationToken) : null;
        if (SnapshotChangeOf(e, learner) is { } change)
        {
            if (change.OnlyExisting)
            {
                return await snapshots.UpdateIfExistsAsync(change.CourseId, change.LearnerId, change.Change, cancellationToken);
            }
            await snapshots.UpdateAsync(change.CourseId, change.LearnerId, change.Change, cancellationToken);
            return true;
        }
        switch (ShortName(e.Name))
        {
            case "user_loggedin":
                var login = await learners.UpdateAsync(new LearnerPatch(e.UserId) { LoggedInAt = e.Time }, onlyExisting: true, cancellationToken);
                return login.After != login.Before;

            case "user_deleted":
                await erasure.EraseAsync(e.RelatedUserId, cancellationToken);
                return true;

            case "course_updated":
                return await ApplyCourseUpdateAsync(e, cancellationToken);

            case "course_deleted":
                await DeleteCourseAsync(e.CourseId, cancellationToken);
                return true;

            default:
                // user_enrolment_updated and user_updated say that something changed, not what: the
                // snapshot upsert, the CSV import or the pull sync bring the new values.
                return false;
        }
    }

    /// <summary>course_updated carries the changed fields in other.updatedfields (Moodle 4.x); the known ones are applied.</summary>
    private async Task<bool> ApplyCourseUpdateAsync(MoodleEvent e, CancellationToken cancellationToken)
    {
        if (e.Changes is not { } changes || await courses.GetAsync(e.CourseId, cancellationToken) is not { } course)
        {
            return false;
        }
        await courses.UpsertAsync(course.With(changes), cancellationToken);
        return true;
    }

    internal async Task DeleteCourseAsync(long courseId, CancellationToken cancellationToken)
    {
        await foreach (var page in snapshots.ListPagesAsync(courseId, 100, cancellationToken))
        {
            foreach (var snapshot in page)
            {
                await snapshots.DeleteAsync(courseId, snapshot.LearnerId, cancellationToken);
            }
        }
        await courses.DeleteAsync(courseId, cancellationToken);
        logger.LogInformation("Course {CourseId} deleted in Moodle: its snapshots are gone, its send history stays", courseId);
    }
}
