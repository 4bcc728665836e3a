using System.Text.Json.Nodes;
using CourseNotification.Tests.Cli;
using CourseNotification.Enrolments;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;

namespace CourseNotification.Tests.Enrolments;

/// <summary>The pull sync against a loopback Moodle speaking the documented web service formats.</summary>
[TestClass]
[TestCategory("storage")]
public sealed class MoodleSyncTests
{
    private static readonly DateTimeOffset CourseStart = new(2035, 1, 8, 0, 0, 0, TimeSpan.FromHours(1));

    private static JsonObject User(long id, string role, long lastAccess) => new()
    {
        ["id"] = id, ["username"] = $"u{id}", ["firstname"] = $"Prénom{id}", ["lastname"] = "Nom", ["fullname"] = $"Prénom{id} Nom",
        ["email"] = $"u{id}@example.org", ["lang"] = "fr", ["timezone"] = "99", ["firstaccess"] = 0, ["lastaccess"] = lastAccess,
        ["lastcourseaccess"] = lastAccess, ["suspended"] = false,
        ["roles"] = new JsonArray(new JsonObject { ["roleid"] = role == "student" ? 5 : 3, ["name"] = "", ["shortname"] = role, ["sortorder"] = 0 }),
    };

    [TestMethod]
    public async Task A_sync_pages_through_courses_and_upserts_learners_roles_access_and_completion()
    {
        await using var moodle = await FakeMoodleWebService.StartAsync();
        var (course, brokenCourse) = (TestIds.Next(), TestIds.Next());
        var users = Enumerable.Range(0, 25).Select(_ => TestIds.Next()).ToList();
        moodle.Courses.Add(new JsonObject { ["id"] = 1, ["shortname"] = "site", ["fullname"] = "Site", ["format"] = "site" });
        moodle.Courses.Add(new JsonObject { ["id"] = course, ["shortname"] = "SYNC", ["fullname"] = "Synchronisée", ["format"] = "topics", ["startdate"] = CourseStart.ToUnixTimeSeconds(), ["enddate"] = 0, ["visible"] = 1 });
        moodle.Courses.Add(new JsonObject { ["id"] = brokenCourse, ["shortname"] = "NOPE", ["fullname"] = "Interdite", ["format"] = "topics" });
        moodle.Broken.Add(brokenCourse);
        moodle.Enrolled[course] = [.. users.Select((id, i) => User(id, i == 0 ? "editingteacher" : "student", i % 2 == 0 ? 0 : CourseStart.AddDays(i).ToUnixTimeSeconds()))];
        moodle.Completed[(course, users[1])] = CourseStart.AddDays(20).ToUnixTimeSeconds();

        await using var core = await CoreServices.StartAsync(null, ("Moodle:Url", moodle.Url.ToString()), ("Moodle:Token", FakeMoodleWebService.Token), ("Moodle:PageSize", "10"));
        var report = await core.Get<MoodleSync>().SyncAsync(baseline: true, CancellationToken.None);

        Assert.AreEqual(new SyncReport(1, 25, 1, null), report, "the site course is skipped; the course Moodle refuses is counted, not fatal");
        Assert.AreEqual(3, moodle.Calls.Count(c => c == "core_enrol_get_enrolled_users" ) - 1, "25 users in pages of 10 (plus the refused course)");
        var stored = (await core.Get<CourseStore>().GetAsync(course, CancellationToken.None))!;
        Assert.AreEqual(("SYNC", "Synchronisée", CourseStart, (DateTimeOffset?)null), (stored.ShortName, stored.FullName, stored.StartDate!.Value, stored.EndDate));

        var snapshots = core.Get<SnapshotStore>();
        var teacher = (await snapshots.GetAsync(course, users[0], CancellationToken.None))!;
        CollectionAssert.AreEqual(new[] { "editingteacher" }, teacher.Roles!.ToArray());
        var completer = (await snapshots.GetAsync(course, users[1], CancellationToken.None))!;
        Assert.AreEqual(CourseStart.AddDays(1), completer.LastAccess);
        Assert.AreEqual(CourseStart.AddDays(20), completer.CompletedAt);
        Assert.AreEqual((MoodleSync.PulledEnrolmentId, CourseStart), (completer.Enrolments.Single().Id, completer.Enrolments.Single().Created!.Value), "baseline: enrolled since the course start");
        Assert.IsNull((await snapshots.GetAsync(course, users[2], CancellationToken.None))!.LastAccess, "never came");
        Assert.AreEqual("u" + users[3] + "@example.org", (await core.Get<LearnerStore>().GetAsync(users[3], CancellationToken.None))!.Email);
        Assert.AreEqual(12, moodle.Calls.Count(c => c == "core_completion_get_course_completion_status"), "asked only for those who came and have not completed");
    }

    [TestMethod]
    public async Task Completion_refused_for_one_person_does_not_fail_the_course()
    {
        await using var moodle = await FakeMoodleWebService.StartAsync();
        var course = TestIds.Next();
        var (teacher, suspended, learner) = (TestIds.Next(), TestIds.Next(), TestIds.Next());
        moodle.Courses.Add(new JsonObject { ["id"] = course, ["shortname"] = "REAL", ["fullname"] = "Réelle", ["format"] = "topics", ["startdate"] = CourseStart.ToUnixTimeSeconds() });
        var came = CourseStart.AddDays(2).ToUnixTimeSeconds();
        moodle.Enrolled[course] = [User(teacher, "editingteacher", came), User(suspended, "student", came), User(learner, "student", came)];
        moodle.CompletionErrors[(course, teacher)] = "usernotenroled";
        moodle.CompletionErrors[(course, suspended)] = "cannotviewreport";
        moodle.Completed[(course, learner)] = CourseStart.AddDays(5).ToUnixTimeSeconds();

        await using var core = await CoreServices.StartAsync(null, ("Moodle:Url", moodle.Url.ToString()), ("Moodle:Token", FakeMoodleWebService.Token));
        var report = await core.Get<MoodleSync>().SyncAsync(baseline: false, CancellationToken.None);

        Assert.AreEqual(new SyncReport(1, 3, 0, null), report, "as real Moodle answers for teachers, suspended enrolments and completion off");
        Assert.AreEqual(CourseStart.AddDays(5), (await core.Get<SnapshotStore>().GetAsync(course, learner, CancellationToken.None))!.CompletedAt);
        Assert.IsNull((await core.Get<SnapshotStore>().GetAsync(course, teacher, CancellationToken.None))!.CompletedAt);
    }

    [TestMethod]
    public async Task A_refused_token_is_a_clear_failure_not_a_crash()
    {
        await using var moodle = await FakeMoodleWebService.StartAsync();
        var configuration = await SharedServices.ConfigurationAsync();
        var errors = new StringWriter();
        var original = Console.Error;
        Console.SetError(errors);
        try
        {
            var exit = await InProcessCli.RunAsync(["sync", $"AzureWebJobsStorage={configuration["AzureWebJobsStorage"]}", $"Moodle__Url={moodle.Url}", "Moodle__Token=wrong"]);
            Assert.AreEqual(1, exit);
        }
        finally
        {
            Console.SetError(original);
        }
        StringAssert.Contains(errors.ToString(), "Moodle core_course_get_courses failed: invalidtoken: Invalid token");
    }
}
