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
/// <c>PUT /api/snapshots</c> (spec/moodle.md §2): upserts courses, learners and enrolments. A field left
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
        var course = stored ?? new Course { Id = id };
        course = course with
        {
            ShortName = item.String("shortName") ?? course.ShortName,
            FullName = item.String("fullName") ?? course.FullName,
            Url = item.Has("url") ? item.String("url") : course.Url,
            StartDate = item.Has("startDate") ? item.Date("startDate") : course.StartDate,
            EndDate = item.Has("endDate") ? item.Date("endDate") : course.EndDate,
            Visible = item.Bool("visible") ?? course.Visible,
        };
        if (item.Problem is null)
        {
            await courses.UpsertAsync(course, cancellationToken);
        }
        return stored is null;
    }

    private async Task<bool> UpsertLearnerAsync(JsonItem item, CancellationToken cancellationToken)
    {
        var id = item.Id("id");
        if (item.Problem is not null)
        {
            return false;
        }
        var stored = await learners.GetAsync(id, cancellationToken);
        var learner = stored ?? new Learner { Id = id };
        learner = learner with
        {
            Username = item.String("username") ?? learner.Username,
            Email = item.String("email") ?? learner.Email,
            FirstName = item.String("firstName") ?? learner.FirstName,
            LastName = item.String("lastName") ?? learner.LastName,
            Lang = item.String("lang") ?? learner.Lang,
            TimeZone = item.String("timeZone") ?? learner.TimeZone,
            Suspended = item.Bool("suspended") ?? learner.Suspended,
        };
        if (learner.Email.Length > 0 && !Email.EmailAddresses.IsBare(learner.Email))
        {
            item.Reject("email", $"'{learner.Email}' is not an email address");
        }
        if (item.Problem is not null)
        {
            return false;
        }
        await learners.SaveAsync(learner, stored, cancellationToken);
        return stored is null;
    }

    private async Task<bool> UpsertEnrolmentAsync(JsonItem item, CancellationToken cancellationToken)
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
            return false;
        }
        var upsert = new EnrolmentUpsert
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
        };
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
}
