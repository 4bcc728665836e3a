using System.Text.Json.Nodes;
using CourseNotification.Settings;
using CourseNotification.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CourseNotification.Enrolments;

/// <summary>What a pull sync did; <see cref="Error"/> when it could not read Moodle at all.</summary>
public sealed record SyncReport(int Courses, int Learners, int FailedCourses, string? Error);

/// <summary>
/// The pull sync (timer and <c>cn sync</c>): courses, enrolled users with their roles and last course
/// access, and completion, read from Moodle's web services, paging through large courses, upserted into
/// the snapshots. What it cannot know: per-learner enrolment start and end (no core function returns
/// them), so a learner first seen by the sync gets an enrolment dated from that moment (or, with
/// <c>baseline</c>, from the course start, so a first sync of an existing site sends no welcome to
/// everyone); the snapshot upsert or the CSV import give the real dates.
/// </summary>
public sealed class MoodleSync(
    MoodleWebService moodle, CourseStore courses, LearnerDirectory learners, SnapshotStore snapshots,
    HealthStore health, IOptions<MoodleOptions> options, TimeProvider clock, ILogger<MoodleSync> logger)
{
    /// <summary>The id of the enrolment a sync creates when it knows of no real one: Moodle's ids start at 1.</summary>
    public const long PulledEnrolmentId = 0;

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

        int synced = 0, learnersSeen = 0, failed = 0;
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
                var course = await SyncCourseAsync(courseId, item, cancellationToken);
                learnersSeen += await SyncLearnersAsync(course, baseline, cancellationToken);
                synced++;
            }
            catch (Exception e) when (e is MoodleWebServiceException or HttpRequestException)
            {
                failed++;
                logger.LogError("Pull sync of course {CourseId} failed: {Error}", courseId, e.Message);
            }
        }
        logger.LogInformation("Pull sync: {Courses} courses, {Learners} enrolled users, {Failed} courses failed", synced, learnersSeen, failed);
        await health.SyncEndedAsync(clock.GetUtcNow(), failed == 0 ? null : $"{failed} course(s) failed", cancellationToken);
        return new SyncReport(synced, learnersSeen, failed, null);
    }

    private async Task<Course> SyncCourseAsync(long courseId, JsonItem item, CancellationToken cancellationToken)
    {
        var stored = await courses.GetAsync(courseId, cancellationToken) ?? new Course { Id = courseId };
        var course = stored.With(CoursePatch.Read(item, moodleNames: true));
        await courses.UpsertAsync(course, cancellationToken);
        return course;
    }

    private async Task<int> SyncLearnersAsync(Course course, bool baseline, CancellationToken cancellationToken)
    {
        var pageSize = options.Value.PageSize;
        var seen = 0;
        for (var from = 0; ; from += pageSize)
        {
            var page = await moodle.CallAsync("core_enrol_get_enrolled_users",
                [
                    MoodleWebService.Parameter("courseid", course.Id),
                    new("options[0][name]", "limitfrom"), MoodleWebService.Parameter("options[0][value]", from),
                    new("options[1][name]", "limitnumber"), MoodleWebService.Parameter("options[1][value]", pageSize),
                ], cancellationToken) as JsonArray ?? [];
            foreach (var user in page.OfType<JsonObject>())
            {
                await SyncLearnerAsync(course, user, baseline, cancellationToken);
                seen++;
            }
            if (page.Count < pageSize)
            {
                return seen;
            }
        }
    }

    private async Task SyncLearnerAsync(Course course, JsonObject user, bool baseline, CancellationToken cancellationToken)
    {
        var item = new JsonItem(user);
        var id = item.Id("id");
        if (item.Problem is not null)
        {
            return;
        }
        var learner = (await learners.UpdateAsync(new LearnerPatch(id)
        {
            Username = item.String("username"),
            Email = item.String("email"),
            FirstName = item.String("firstname"),
            LastName = item.String("lastname"),
            Lang = item.String("lang"),
            TimeZone = item.String("timezone"),
            Suspended = item.Bool("suspended"),
        }, onlyExisting: false, cancellationToken)).After!;

        var roles = (user["roles"] as JsonArray)?.OfType<JsonObject>().Select(r => r["shortname"]?.ToString()).OfType<string>().ToList();
        var lastAccess = item.Date("lastcourseaccess");
        // Moodle's last course access is the latest access; it is also the first when none is known.
        var snapshot = await snapshots.UpdateAsync(course.Id, id, s => s.WithProfile(LearnerProfile.Of(learner)).WithAccess(null, lastAccess) with
        {
            Enrolments = s.Enrolments.Count > 0 ? s.Enrolments
                : [new Enrolment { Id = PulledEnrolmentId, Method = "pull", Created = baseline ? course.StartDate ?? clock.GetUtcNow() : clock.GetUtcNow() }],
            Roles = roles ?? s.Roles,
        }, cancellationToken);

        if (snapshot.CompletedAt is null && snapshot.LastAccess is not null && await CompletedAtAsync(course.Id, id, cancellationToken) is { } completedAt)
        {
            await snapshots.UpdateAsync(course.Id, id, s => s.WithCompletion(completedAt), cancellationToken);
        }
    }

    /// <summary>When the learner completed the course (the latest criterion's time, or now when Moodle gives none), or null.</summary>
    private async Task<DateTimeOffset?> CompletedAtAsync(long courseId, long userId, CancellationToken cancellationToken)
    {
        JsonNode? answer;
        try
        {
            answer = await moodle.CallAsync("core_completion_get_course_completion_status",
                [MoodleWebService.Parameter("courseid", courseId), MoodleWebService.Parameter("userid", userId)], cancellationToken);
        }
        catch (MoodleWebServiceException e) when (e.ErrorCode is "nocriteriaset" or "usernotenroled" or "cannotviewreport")
        {
            // Real Moodle answers these for one person (a teacher, a suspended enrolment) or a course with
            // completion off: that person has no completion to read, and the rest of the course syncs.
            logger.LogInformation("Pull sync: no completion for learner {LearnerId} in course {CourseId} ({ErrorCode})", userId, courseId, e.ErrorCode);
            return null;
        }
        var status = answer?["completionstatus"];
        if (status?["completed"]?.GetValue<bool>() != true)
        {
            return null;
        }
        var times = (status["completions"] as JsonArray)?.OfType<JsonObject>()
            .Select(c => new JsonItem(c).Date("timecompleted")).OfType<DateTimeOffset>().ToList() ?? [];
        return times.Count > 0 ? times.Max() : clock.GetUtcNow();
    }
}
