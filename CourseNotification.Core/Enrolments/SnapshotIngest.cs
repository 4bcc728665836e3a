using System.Text.Json.Nodes;
using CourseNotification.Observability;
using CourseNotification.Storage;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Enrolments;

/// <summary>Counts for one kind of item in an upsert.</summary>
public sealed record UpsertCounts(int Created, int Updated, int Rejected);

/// <summary>Why one item of an upsert was refused.</summary>
public sealed record Rejection(string Kind, int Index, long? Id, string Field, string Reason);

public sealed record UpsertReport(UpsertCounts Courses, UpsertCounts Learners, UpsertCounts Enrolments, IReadOnlyList<Rejection> Rejected);

/// <summary>
/// What a plugin envelope's state did: items written per kind, items skipped because a newer envelope's state
/// was applied already (<see cref="Stale"/>), enrolments marked removed, and the items refused with their reason.
/// </summary>
public sealed record StateReport(UpsertCounts Courses, UpsertCounts Learners, UpsertCounts Enrolments, int Stale, int RemovedEnrolments, IReadOnlyList<Rejection> Rejected);

/// <summary>
/// <c>PUT /api/snapshots</c> (docs/moodle.md, snapshot upsert): upserts courses, learners and enrolments. A field left
/// out keeps its stored value; one bad item is rejected with its reason and does not stop the others.
/// Learners are applied before enrolments, so a batch may introduce both.
/// </summary>
public sealed class SnapshotIngest(CourseStore courses, LearnerDirectory learners, SnapshotStore snapshots, TimeProvider clock, ILogger<SnapshotIngest> logger)
{
    public async Task<UpsertReport> UpsertAsync(JsonObject body, CancellationToken cancellationToken)
    {
        var rejected = new List<Rejection>();
        var courseCounts = await ApplyAsync(body, "courses", rejected, UpsertCourseAsync, cancellationToken);
        var learnerCounts = await ApplyAsync(body, "learners", rejected, UpsertLearnerAsync, cancellationToken);
        var enrolmentCounts = await ApplyAsync(body, "enrolments", rejected, UpsertEnrolmentAsync, cancellationToken);
        logger.LogInformation(
            "Snapshot upsert: {Courses} courses, {Learners} learners, {Enrolments} enrolments, {Rejected} rejected",
            courseCounts.Created + courseCounts.Updated, learnerCounts.Created + learnerCounts.Updated,
            enrolmentCounts.Created + enrolmentCounts.Updated, rejected.Count);
        return new UpsertReport(courseCounts, learnerCounts, enrolmentCounts, rejected);
    }

    /// <summary>
    /// The state of a plugin envelope (ENVELOPE.md), read in Moodle at <paramref name="readAt"/>, written with
    /// the same merge rules as <see cref="UpsertAsync"/> but in bulk: courses, then learners (through the
    /// learner directory, so every snapshot of a learner gets the new profile), then the enrolments and the
    /// enrolments <c>removed</c>, in one pass over the snapshots that also applies <paramref name="first"/>
    /// (the snapshot changes of the envelope's events, which come before the state). A course, learner or
    /// snapshot whose stored state is from a later envelope is left as it is (counted stale). An item the
    /// merge rules refuse is reported and skipped; the others are written.
    /// </summary>
    internal async Task<(StateReport Report, IReadOnlyList<SnapshotChanged> First)> ApplyStateAsync(
        JsonObject state, DateTimeOffset readAt, IReadOnlyList<SnapshotChange> first, CancellationToken cancellationToken)
    {
        var rejected = new List<Rejection>();
        var stale = 0;
        var now = clock.GetUtcNow();

        // Courses.
        var courseItems = Identified(state, "courses", rejected);
        var storedCourses = courseItems.Count > 0 ? await courses.GetManyAsync(courseItems.Select(c => c.Id), cancellationToken) : new Dictionary<long, Course>();
        var courseWrites = new Dictionary<long, Course>();
        int coursesCreated = 0, coursesUpdated = 0, coursesRefused = 0;
        foreach (var (index, item, id) in courseItems)
        {
            var before = courseWrites.GetValueOrDefault(id) ?? storedCourses.GetValueOrDefault(id);
            if (before?.StateAt > readAt)
            {
                stale++;
                continue;
            }
            var course = MergeCourse(item, before ?? new Course { Id = id }) with { StateAt = readAt };
            if (Refused(item, "courses", index, id, rejected))
            {
                coursesRefused++;
                continue;
            }
            _ = before is null ? coursesCreated++ : coursesUpdated++;
            courseWrites[id] = course;
        }
        var coursesWritten = courseWrites.Count > 0 ? courses.UpsertManyAsync(courseWrites.Values, cancellationToken) : Task.CompletedTask;

        // Learners.
        var learnerItems = Identified(state, "learners", rejected);
        var enrolmentItems = Items(state, "enrolments");
        var read = enrolmentItems.Select(e => (e.Index, e.Item, Read: ReadEnrolment(e.Item))).ToList();
        var wantedLearners = learnerItems.Select(l => l.Id).Concat(read.Where(r => r.Read is not null).Select(r => r.Read!.Value.LearnerId)).ToHashSet();
        var storedLearners = wantedLearners.Count > 0 ? await learners.GetManyAsync(wantedLearners, cancellationToken) : new Dictionary<long, Learner>();
        var saves = new Dictionary<long, (Learner Learner, Learner? Previous)>();
        int learnersCreated = 0, learnersUpdated = 0, learnersRefused = 0;
        foreach (var (index, item, id) in learnerItems)
        {
            var stored = storedLearners.GetValueOrDefault(id);
            var before = saves.TryGetValue(id, out var saved) ? saved.Learner : stored;
            if (before?.StateAt > readAt)
            {
                stale++;
                continue;
            }
            var learner = MergeLearner(item, before ?? new Learner { Id = id }) with { StateAt = readAt };
            if (Refused(item, "learners", index, id, rejected))
            {
                learnersRefused++;
                continue;
            }
            _ = before is null ? learnersCreated++ : learnersUpdated++;
            saves[id] = (learner, stored);
        }
        Learner? ProfileOf(long learnerId) => saves.TryGetValue(learnerId, out var saved) ? saved.Learner : storedLearners.GetValueOrDefault(learnerId);

        // Enrolments, then the enrolments Moodle no longer has, after the events' changes.
        var changes = new List<SnapshotChange>(first);
        var enrolmentAt = new List<(int Change, int Index, long Id, EnrolmentUpsert Upsert)>();
        int enrolmentsRefused = 0;
        foreach (var (index, item, enrolment) in read)
        {
            if (enrolment is not var (courseId, learnerId, upsert))
            {
                Refused(item, "enrolments", index, item.Long("id"), rejected);
                enrolmentsRefused++;
                continue;
            }
            var profile = ProfileOf(learnerId);
            enrolmentAt.Add((changes.Count, index, upsert.Id, upsert));
            changes.Add(new SnapshotChange(courseId, learnerId, s => s.StateAt > readAt ? s : upsert.ApplyTo(s, profile, now) with { StateAt = readAt }));
        }
        var removedAt = new List<int>();
        foreach (var (courseId, learnerId, id) in RemovedEnrolments(state))
        {
            removedAt.Add(changes.Count);
            changes.Add(new SnapshotChange(courseId, learnerId, s => s.StateAt > readAt ? s : Tombstone(s, id, readAt), OnlyExisting: true));
        }
        // A snapshot written here that no state item rewrites still gets its learner's new profile.
        foreach (var key in changes.Select(c => (c.CourseId, c.LearnerId)).Distinct().Where(k => saves.ContainsKey(k.LearnerId)).ToList())
        {
            var profile = LearnerProfile.Of(saves[key.LearnerId].Learner);
            changes.Add(new SnapshotChange(key.CourseId, key.LearnerId, s => s.WithProfile(profile), OnlyExisting: true));
        }

        var learnersSaved = saves.Count > 0
            ? learners.SaveManyAsync([.. saves.Values], changes.Select(c => (c.CourseId, c.LearnerId)).ToHashSet(), cancellationToken)
            : Task.CompletedTask;
        IReadOnlyList<SnapshotChanged> results = [];
        try
        {
            if (changes.Count > 0)
            {
                results = await snapshots.UpdateManyAsync(changes, onlyExisting: false, cancellationToken, writeAfter: learnersSaved);
            }
        }
        finally
        {
            // Never leave a write running unobserved.
            await learnersSaved;
            await coursesWritten;
        }

        int enrolmentsCreated = 0, enrolmentsUpdated = 0, removed = 0;
        foreach (var (change, _, _, upsert) in enrolmentAt)
        {
            if (results[change].Before.StateAt > readAt)
            {
                stale++;
            }
            else
            {
                _ = upsert.IsNewIn(results[change].Before) ? enrolmentsCreated++ : enrolmentsUpdated++;
            }
        }
        foreach (var change in removedAt)
        {
            _ = results[change].After is null ? 0 : results[change].Before.StateAt > readAt ? stale++ : removed++;
        }
        Telemetry.SnapshotItems.Add(coursesCreated + coursesUpdated, new("kind", "courses"), new("outcome", "upserted"));
        Telemetry.SnapshotItems.Add(learnersCreated + learnersUpdated, new("kind", "learners"), new("outcome", "upserted"));
        Telemetry.SnapshotItems.Add(enrolmentsCreated, new("kind", "enrolments"), new("outcome", "created"));
        Telemetry.SnapshotItems.Add(enrolmentsUpdated, new("kind", "enrolments"), new("outcome", "updated"));
        Telemetry.SnapshotItems.Add(rejected.Count, new("kind", "state"), new("outcome", "rejected"));
        var report = new StateReport(
            new UpsertCounts(coursesCreated, coursesUpdated, coursesRefused),
            new UpsertCounts(learnersCreated, learnersUpdated, learnersRefused),
            new UpsertCounts(enrolmentsCreated, enrolmentsUpdated, enrolmentsRefused),
            stale, removed, rejected);
        return (report, results.Take(first.Count).ToList());
    }

    /// <summary>The enrolment marked removed (a tombstone, as user_enrolment_deleted leaves it), its dates kept.</summary>
    private static EnrolmentSnapshot Tombstone(EnrolmentSnapshot snapshot, long enrolmentId, DateTimeOffset at)
    {
        var known = snapshot.Enrolments.FirstOrDefault(e => e.Id == enrolmentId) ?? new Enrolment { Id = enrolmentId };
        return snapshot.WithEnrolment(known with
        {
            Active = false,
            RemovedAt = known.RemovedAt ?? at,
            EventAt = known.EventAt > at ? known.EventAt : at,
        }) with { StateAt = at };
    }

    /// <summary>The state's lists of objects (the caller checked the shape: see <see cref="StateShapeProblem"/>).</summary>
    private static List<(int Index, JsonItem Item)> Items(JsonObject state, string kind) =>
        state[kind] is JsonArray items ? [.. items.Select((node, index) => (index, new JsonItem((JsonObject)node!)))] : [];

    /// <summary>The items whose id reads; the others are refused.</summary>
    private static List<(int Index, JsonItem Item, long Id)> Identified(JsonObject state, string kind, List<Rejection> rejected)
    {
        var found = new List<(int Index, JsonItem Item, long Id)>();
        foreach (var (index, item) in Items(state, kind))
        {
            var id = item.Id("id");
            if (!Refused(item, kind, index, null, rejected))
            {
                found.Add((index, item, id));
            }
        }
        return found;
    }

    private static bool Refused(JsonItem item, string kind, int index, long? id, List<Rejection> rejected)
    {
        if (item.Problem is null)
        {
            return false;
        }
        rejected.Add(new Rejection(kind, index, id, $"state.{kind}[{index}].{item.ProblemField}", item.Problem));
        return true;
    }

    private static IEnumerable<(long CourseId, long LearnerId, long Id)> RemovedEnrolments(JsonObject state) =>
        (state["removed"]?["enrolments"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(node => new JsonItem(node))
            .Select(item => (item.Id("courseId"), item.Id("learnerId"), item.Id("id")));

    /// <summary>Ids listed in <c>state.removed.courses</c> or <c>.learners</c>.</summary>
    internal static IReadOnlyList<long> RemovedIds(JsonObject state, string kind) =>
        (state["removed"]?[kind] as JsonArray ?? []).Select(node => new JsonItem(new JsonObject { ["id"] = node?.DeepClone() }).Id("id")).ToList();

    /// <summary>
    /// Null when the state has the shape ENVELOPE.md gives (lists of objects, removed ids that read); else the
    /// path of the first thing that does not. Items' values are checked when they are applied, one at a time.
    /// </summary>
    internal static string? StateShapeProblem(JsonNode? node)
    {
        if (node is null)
        {
            return null;
        }
        if (node is not JsonObject state)
        {
            return "state";
        }
        foreach (var kind in Lists)
        {
            if (state[kind] is { } list && (list is not JsonArray items || items.Any(i => i is not JsonObject)))
            {
                return list is JsonArray array ? $"state.{kind}[{array.ToList().FindIndex(i => i is not JsonObject)}]" : $"state.{kind}";
            }
        }
        if (state["removed"] is not { } removed)
        {
            return null;
        }
        if (removed is not JsonObject gone)
        {
            return "state.removed";
        }
        foreach (var kind in new[] { "courses", "learners" })
        {
            if (gone[kind] is { } list)
            {
                if (list is not JsonArray ids)
                {
                    return $"state.removed.{kind}";
                }
                for (var i = 0; i < ids.Count; i++)
                {
                    var item = new JsonItem(new JsonObject { ["id"] = ids[i]?.DeepClone() });
                    item.Id("id");
                    if (item.Problem is not null)
                    {
                        return $"state.removed.{kind}[{i}]";
                    }
                }
            }
        }
        if (gone["enrolments"] is { } enrolments)
        {
            if (enrolments is not JsonArray rows)
            {
                return "state.removed.enrolments";
            }
            for (var i = 0; i < rows.Count; i++)
            {
                if (rows[i] is not JsonObject row)
                {
                    return $"state.removed.enrolments[{i}]";
                }
                var item = new JsonItem(row);
                item.Id("id");
                item.Id("courseId");
                item.Id("learnerId");
                if (item.Problem is not null)
                {
                    return $"state.removed.enrolments[{i}].{item.ProblemField}";
                }
            }
        }
        return null;
    }

    /// <summary>Items of one kind a request may carry: each is applied in turn, and the request must end well within an HTTP timeout.</summary>
    public const int MaxItemsPerList = 5_000;

    /// <summary>The name of the body's first list longer than <see cref="MaxItemsPerList"/>, for a 413.</summary>
    public static string? OversizedList(JsonObject body) =>
        Lists.FirstOrDefault(name => body[name] is JsonArray { Count: > MaxItemsPerList });

    private static readonly string[] Lists = ["courses", "learners", "enrolments"];

    /// <summary>The names of the body's lists that are present but not arrays of objects, for a 400.</summary>
    public static string? MalformedList(JsonObject body)
    {
        foreach (var name in Lists)
        {
            if (body[name] is { } list && list is not JsonArray)
            {
                return name;
            }
        }
        return null;
    }

    private delegate Task<bool> ItemUpsert(JsonItem item, CancellationToken cancellationToken);

    private static async Task<UpsertCounts> ApplyAsync(
        JsonObject body, string kind, List<Rejection> rejected, ItemUpsert upsert, CancellationToken cancellationToken)
    {
        int created = 0, updated = 0, refused = 0;
        if (body[kind] is not JsonArray items)
        {
            return new UpsertCounts(0, 0, 0);
        }
        for (var index = 0; index < items.Count; index++)
        {
            if (items[index] is not JsonObject node)
            {
                rejected.Add(new Rejection(kind, index, null, kind, "each item must be a JSON object"));
                refused++;
                continue;
            }
            var item = new JsonItem(node);
            var isNew = await upsert(item, cancellationToken);
            if (item.Problem is not null)
            {
                rejected.Add(new Rejection(kind, index, item.Long("id"), item.ProblemField!, item.Problem));
                refused++;
            }
            else if (isNew)
            {
                created++;
            }
            else
            {
                updated++;
            }
        }
        Telemetry.SnapshotItems.Add(created, new("kind", kind), new("outcome", "created"));
        Telemetry.SnapshotItems.Add(updated, new("kind", kind), new("outcome", "updated"));
        Telemetry.SnapshotItems.Add(refused, new("kind", kind), new("outcome", "rejected"));
        return new UpsertCounts(created, updated, refused);
    }

    private async Task<bool> UpsertCourseAsync(JsonItem item, CancellationToken cancellationToken)
    {
        var id = item.Id("id");
        if (item.Problem is not null)
        {
            return false;
        }
        var stored = await courses.GetAsync(id, cancellationToken);
        var course = MergeCourse(item, stored ?? new Course { Id = id });
        if (item.Problem is null)
        {
            await courses.UpsertAsync(course, cancellationToken);
        }
        return stored is null;
    }

    /// <summary>A course item over what is stored: a field left out keeps its stored value (the problem, if any, is on <paramref name="item"/>).</summary>
    internal static Course MergeCourse(JsonItem item, Course course) => course.With(CoursePatch.Read(item));

    private async Task<bool> UpsertLearnerAsync(JsonItem item, CancellationToken cancellationToken)
    {
        var id = item.Id("id");
        if (item.Problem is not null)
        {
            return false;
        }
        var stored = await learners.GetAsync(id, cancellationToken);
        var learner = MergeLearner(item, stored ?? new Learner { Id = id });
        if (item.Problem is not null)
        {
            return false;
        }
        await learners.SaveAsync(learner, stored, cancellationToken);
        return stored is null;
    }

    /// <summary>A learner item over what is stored: a field left out keeps its stored value; an email that is not a bare address is a problem on <paramref name="item"/>.</summary>
    internal static Learner MergeLearner(JsonItem item, Learner learner)
    {
        learner = learner.With(new LearnerPatch(
            item.String("username"), item.String("email"), item.String("firstName"), item.String("lastName"),
            item.String("lang"), item.String("timeZone"), item.Bool("suspended")));
        if (learner.Problem() is { } problem)
        {
            item.Reject("email", problem);
        }
        return learner;
    }

    private async Task<bool> UpsertEnrolmentAsync(JsonItem item, CancellationToken cancellationToken)
    {
        var read = ReadEnrolment(item);
        if (read is not var (courseId, learnerId, upsert))
        {
            return false;
        }
        var learner = await learners.GetAsync(learnerId, cancellationToken);
        var now = clock.GetUtcNow();
        var isNew = false;
        await snapshots.UpdateAsync(courseId, learnerId, snapshot =>
        {
            isNew = upsert.IsNewIn(snapshot);
            return upsert.ApplyTo(snapshot, learner, now);
        }, cancellationToken);
        return isNew;
    }

    /// <summary>An enrolment item read and checked, or null with the problem on <paramref name="item"/>.</summary>
    internal static (long CourseId, long LearnerId, EnrolmentUpsert Upsert)? ReadEnrolment(JsonItem item)
    {
        // Moodle's enrolment ids are positive; the CSV import's own are negative; 0 is the pull sync's.
        var id = item.Long("id", required: true) ?? 0;
        if (id == 0 && item.Problem is null)
        {
            item.Reject("id", "id must not be 0");
        }
        var courseId = item.Id("courseId");
        var learnerId = item.Id("learnerId");
        var status = item.String("status");
        if (status is not (null or "active" or "suspended"))
        {
            item.Reject("status", "must be active or suspended");
        }
        var start = item.Date("start");
        var end = item.Date("end");
        var firstAccess = item.Date("firstAccess");
        var lastAccess = item.Date("lastAccess");
        var completedAt = item.Date("completedAt");
        var method = item.String("method");
        var roles = item.Strings("roles");
        if (item.Problem is not null)
        {
            return null;
        }
        return (courseId, learnerId, new EnrolmentUpsert
        {
            Id = id,
            Method = method,
            Status = status,
            HasStart = item.Has("start"),
            Start = start,
            HasEnd = item.Has("end"),
            End = end,
            FirstAccess = firstAccess,
            LastAccess = lastAccess,
            HasCompletedAt = item.Has("completedAt"),
            CompletedAt = completedAt,
            Roles = roles,
        });
    }
}
