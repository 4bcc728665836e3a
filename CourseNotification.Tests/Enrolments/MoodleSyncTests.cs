using CourseNotification.Tests.Cli;
using Microsoft.Extensions.Time.Testing;
using CourseNotification.Enrolments;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;

namespace CourseNotification.Tests.Enrolments;

/// <summary>
/// The pull sync against a loopback Moodle that answers as a real Moodle 4.5 does (FakeMoodleWebService, its
/// answers checked against the real ones by FakeMoodleShapeTests), on the site the real samples come from.
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed class MoodleSyncTests
{
    public TestContext TestContext { get; set; } = null!;

    /// <summary>The harness site's people (Moodle/Real/scenario.json), at their ids plus the test's offset.</summary>
    private sealed record Harness(long Offset)
    {
        public long Course => 2 + Offset;
        public long Alice => 4 + Offset;
        public long Bob => 5 + Offset;
        public long Chloe => 6 + Offset;
        public long Dave => 7 + Offset;
        public long Tess => 8 + Offset;
        public long Eve => 9 + Offset;

        public static Harness Next() => new(10_000_000 + (TestIds.Next() * 100));
    }

    private static async Task<(FakeMoodleWebService Moodle, Harness Site)> HarnessAsync(bool withEve = true)
    {
        var moodle = await FakeMoodleWebService.StartAsync();
        var site = Harness.Next();
        moodle.SeedHarness(withEve, site.Offset);
        return (moodle, site);
    }

    private static Task<CoreServices> CoreAsync(FakeMoodleWebService moodle, params (string Key, string Value)[] settings) =>
        CoreAsync(moodle, new FakeTimeProvider(moodle.Now), settings);

    private static Task<CoreServices> CoreAsync(FakeMoodleWebService moodle, FakeTimeProvider clock, params (string Key, string Value)[] settings) =>
        CoreServices.StartAsync(clock,
            [("Moodle:Url", moodle.Url.ToString()), ("Moodle:Token", FakeMoodleWebService.Token), ("Moodle:SiteTimeZone", "Europe/London"), .. settings]);

    private static DateTimeOffset Unix(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds);

    private async Task<(Learner Learner, EnrolmentSnapshot Snapshot)> ReadAsync(CoreServices core, long course, long learner) =>
        ((await core.Get<LearnerStore>().GetAsync(learner, TestContext.CancellationToken))!, (await core.Get<SnapshotStore>().GetAsync(course, learner, TestContext.CancellationToken))!);

    private static Decision Decide(CoreServices core, Course course, EnrolmentSnapshot snapshot, DateTimeOffset at, string signal) =>
        SignalEngine.Evaluate(course, snapshot, [], core.Get<SignalSettingsProvider>().Platform, at, signal)!.Value;

    [TestMethod]
    public async Task Without_the_plugin_every_learner_gets_their_language_zone_status_and_completion()
    {
        var (moodle, site) = await HarnessAsync();
        await using var _ = moodle;
        var clock = new FakeTimeProvider(moodle.Now);
        await using var core = await CoreAsync(moodle, clock);

        var report = await core.Get<MoodleSync>().SyncAsync(baseline: false, TestContext.CancellationToken);

        Assert.AreEqual((1, 6, 0, false, 0), (report.Courses, report.Learners, report.FailedCourses, report.Plugin, report.CompletionErrors.Count), report.Summary);
        Assert.AreEqual(1, moodle.Calls.Count(c => c == MoodleSync.CourseStateFunction), "the plugin's function is tried once, then the core functions");
        var people = new Dictionary<string, (Learner Learner, EnrolmentSnapshot Snapshot)>();
        foreach (var (name, id) in new[] { ("alice", site.Alice), ("bob", site.Bob), ("chloe", site.Chloe), ("dave", site.Dave), ("tess", site.Tess), ("eve", site.Eve) })
        {
            people[name] = await ReadAsync(core, site.Course, id);
        }
        Assert.AreEqual(("fr", "Europe/Paris"), (people["alice"].Learner.Lang, people["alice"].Learner.TimeZone));
        Assert.AreEqual(("en", "America/Montreal"), (people["bob"].Learner.Lang, people["bob"].Learner.TimeZone));
        Assert.AreEqual(("fr", "America/Montreal"), (people["chloe"].Learner.Lang, people["chloe"].Learner.TimeZone));
        Assert.AreEqual(("en", "Europe/Paris"), (people["dave"].Learner.Lang, people["dave"].Learner.TimeZone));
        Assert.AreEqual(("en", "Europe/London"), (people["eve"].Learner.Lang, people["eve"].Learner.TimeZone), "zone 99: the site's (Moodle__SiteTimeZone)");
        Assert.AreEqual(("fr", "Europe/Paris"), (people["alice"].Snapshot.Profile!.Lang, people["alice"].Snapshot.Profile!.TimeZone), "the scan reads the copy in the snapshot");

        Assert.AreEqual(Unix(1795967452), people["alice"].Snapshot.CompletedAt, "asked although Moodle shows no course access for her");
        Assert.IsTrue(people["alice"].Snapshot.Enrolments.Single().IsActive);
        Assert.IsTrue(people["bob"].Snapshot.Enrolments.Single().IsActive);
        Assert.AreEqual(Unix(1795967452), people["bob"].Snapshot.LastAccess);
        Assert.IsFalse(people["chloe"].Snapshot.Enrolments.Single().IsActive, "not current: absent from the onlyactive listing");
        Assert.IsNull(people["chloe"].Snapshot.Enrolments.Single().EffectiveStart, "not started: her start is when she is first seen active");
        Assert.IsFalse(people["dave"].Snapshot.Enrolments.Single().IsActive, "suspended");
        Assert.IsFalse(people["dave"].Learner.Suspended, "his account is not suspended, his enrolment is");
        Assert.IsTrue(people.Where(p => p.Key != "alice").All(p => p.Value.Snapshot.CompletedAt is null), "nobody else completed");
        CollectionAssert.AreEqual(new[] { "editingteacher" }, people["tess"].Snapshot.Roles!.ToArray());
        Assert.AreEqual(3, moodle.Calls.Count(c => c == "core_completion_get_course_completion_status"), "only active learners (alice, bob, eve): not the teacher, the suspended or the not-yet-started");
        Assert.AreEqual(1, moodle.Calls.Count(c => c == "core_user_get_users_by_field"), "the six people in one batch");

        var course = (await core.Get<CourseStore>().GetAsync(site.Course, TestContext.CancellationToken))!;
        Assert.AreEqual(("HC-01", Unix(1795046400), Unix(1800230400)), (course.ShortName, course.StartDate!.Value, course.EndDate!.Value));
        var now = moodle.Now;
        Assert.AreEqual((DecisionState.NotApplicable, Reasons.Completed), Pair(Decide(core, course, people["alice"].Snapshot, now, SignalKeys.Welcome)), "who completed is never welcomed");
        Assert.AreEqual((DecisionState.NotApplicable, Reasons.Completed), Pair(Decide(core, course, people["alice"].Snapshot, now.AddDays(10), SignalKeys.FirstCall)));
        Assert.AreEqual((DecisionState.NotApplicable, Reasons.NoActiveEnrolment), Pair(Decide(core, course, people["chloe"].Snapshot, now, SignalKeys.Welcome)), "no welcome before she starts");
        Assert.AreEqual((DecisionState.NotApplicable, Reasons.NoActiveEnrolment), Pair(Decide(core, course, people["dave"].Snapshot, now, SignalKeys.Welcome)));
        Assert.AreEqual((DecisionState.NotApplicable, Reasons.NotALearner), Pair(Decide(core, course, people["tess"].Snapshot, now, SignalKeys.Welcome)));

        // Chloe's start comes: the next sync sees her active, and her welcome is anchored on that day.
        moodle.Now = Unix(1796226652 + 3600);
        clock.SetUtcNow(moodle.Now);
        await core.Get<MoodleSync>().SyncAsync(baseline: false, TestContext.CancellationToken);
        var chloe = await ReadAsync(core, site.Course, site.Chloe);
        Assert.AreEqual((true, moodle.Now), (chloe.Snapshot.Enrolments.Single().IsActive, chloe.Snapshot.Enrolments.Single().EffectiveStart!.Value));
    }

    private static (DecisionState, string?) Pair(Decision decision) => (decision.State, decision.Reason);

    [TestMethod]
    public async Task A_course_with_completion_off_syncs_and_the_refusal_is_on_the_overview()
    {
        var (moodle, site) = await HarnessAsync();
        await using var _ = moodle;
        moodle.Courses[0] = moodle.Courses[0] with { CompletionEnabled = false };
        moodle.CanUpdateCourses = false; // Without moodle/course:update, enablecompletion is not in the course list: the sync asks, Moodle refuses.
        await using var host = await LocalHost.StartAsync(new FakeTimeProvider(moodle.Now), false,
            ("Moodle:Url", moodle.Url.ToString()), ("Moodle:Token", FakeMoodleWebService.Token), ("Moodle:SiteTimeZone", "Europe/London"));
        T Get<T>() where T : notnull => (T)host.App.Services.GetService(typeof(T))!;

        var report = await Get<MoodleSync>().SyncAsync(baseline: false, TestContext.CancellationToken);

        Assert.AreEqual((1, 6, 0), (report.Courses, report.Learners, report.FailedCourses), report.Summary);
        Assert.AreEqual(1, report.CompletionErrors["cannotviewreport"], "asked once: the course is asked no further");
        Assert.AreEqual(1, moodle.Calls.Count(c => c == "core_completion_get_course_completion_status"));
        Assert.AreEqual("fr", (await Get<LearnerStore>().GetAsync(site.Alice, TestContext.CancellationToken))!.Lang);
        Assert.IsNull((await Get<SnapshotStore>().GetAsync(site.Course, site.Alice, TestContext.CancellationToken))!.CompletedAt);
        var health = await Get<HealthStore>().ReadAsync(TestContext.CancellationToken);
        Assert.IsNull(health.LastSyncError);
        StringAssert.Contains(health.LastSyncSummary, "completion not read: cannotviewreport 1");
        var page = await host.Http.GetStringAsync("overview", TestContext.CancellationToken);
        StringAssert.Contains(page, "1 course(s), 6 enrolled user(s) from the core web services; 0 enrolment(s) ended; completion not read: cannotviewreport 1", "on the overview, with the last sync");
    }

    [TestMethod]
    public async Task A_learner_removed_from_Moodle_has_their_enrolment_ended()
    {
        var (moodle, site) = await HarnessAsync();
        await using var _ = moodle;
        await using var core = await CoreAsync(moodle);
        var sync = core.Get<MoodleSync>();
        await sync.SyncAsync(baseline: false, TestContext.CancellationToken);
        Assert.IsTrue((await ReadAsync(core, site.Course, site.Eve)).Snapshot.Enrolments.Single().IsActive);

        moodle.Enrolments.RemoveAll(e => e.UserId == site.Eve);
        var report = await sync.SyncAsync(baseline: false, TestContext.CancellationToken);

        Assert.AreEqual(1, report.Ended, report.Summary);
        var eve = (await ReadAsync(core, site.Course, site.Eve)).Snapshot.Enrolments.Single();
        Assert.AreEqual((false, (DateTimeOffset?)moodle.Now), (eve.Active, eve.RemovedAt), "a tombstone, as user_enrolment_deleted leaves it");
        Assert.IsTrue((await ReadAsync(core, site.Course, site.Bob)).Snapshot.Enrolments.Single().IsActive, "the others stay");
        Assert.AreEqual(0, (await sync.SyncAsync(baseline: false, TestContext.CancellationToken)).Ended, "ended once");
    }

    [TestMethod]
    public async Task With_the_plugin_the_sync_reads_real_dates_status_language_and_zone()
    {
        var (moodle, site) = await HarnessAsync();
        await using var _ = moodle;
        moodle.PluginInstalled = true;
        moodle.PluginInService = false;
        await using var core = await CoreAsync(moodle);
        var sync = core.Get<MoodleSync>();
        Assert.IsFalse((await sync.SyncAsync(baseline: false, TestContext.CancellationToken)).Plugin, "not in the token's service (accessexception): the core functions");

        moodle.PluginInService = true;
        moodle.SiteTimeZone = "Pacific/Noumea";
        moodle.Calls.Clear();
        var report = await sync.SyncAsync(baseline: false, TestContext.CancellationToken);

        Assert.AreEqual((true, 1, 6, 0), (report.Plugin, report.Courses, report.Learners, report.FailedCourses), report.Summary);
        Assert.IsFalse(moodle.Calls.Any(c => c.StartsWith("core_enrol", StringComparison.Ordinal) || c.StartsWith("core_completion", StringComparison.Ordinal)), string.Join(",", moodle.Calls));
        Assert.AreEqual(6, report.Ended, "the enrolments the core functions stood for (id 0) give way to the real ones");
        var (chloe, chloeSnapshot) = await ReadAsync(core, site.Course, site.Chloe);
        var enrolment = chloeSnapshot.Enrolments.Single(e => e.RemovedAt is null);
        Assert.AreEqual((3 + site.Offset, true, Unix(1796226652), Unix(1799423452)), (enrolment.Id, enrolment.Active, enrolment.Start!.Value, enrolment.End!.Value), "not started yet: active, from her start");
        Assert.AreEqual(("fr", "America/Montreal"), (chloe.Lang, chloe.TimeZone));
        var dave = (await ReadAsync(core, site.Course, site.Dave)).Snapshot.Enrolments.Single(e => e.RemovedAt is null);
        Assert.AreEqual((4 + site.Offset, false, Unix(1797695452)), (dave.Id, dave.Active, dave.End!.Value), "suspended, with his real end");
        Assert.AreEqual("Pacific/Noumea", (await ReadAsync(core, site.Course, site.Eve)).Learner.TimeZone, "99 resolved by Moodle");
        Assert.AreEqual(Unix(1795967452), (await ReadAsync(core, site.Course, site.Alice)).Snapshot.CompletedAt);
        var course = (await core.Get<CourseStore>().GetAsync(site.Course, TestContext.CancellationToken))!;
        Assert.AreEqual((DecisionState.NotApplicable, Reasons.NoActiveEnrolment), Pair(Decide(core, course, (await ReadAsync(core, site.Course, site.Dave)).Snapshot, moodle.Now, SignalKeys.Welcome)));
        var welcome = Decide(core, course, chloeSnapshot, moodle.Now, SignalKeys.Welcome);
        Assert.AreEqual((DateOnly?)DateOnly.FromDateTime(Unix(1796226652).UtcDateTime), welcome.Anchor, "her welcome waits for her start");
        Assert.AreNotEqual(DecisionState.Due, welcome.State);
    }

    [TestMethod]
    public async Task A_sync_pages_through_courses_and_a_refused_course_is_counted_not_fatal()
    {
        await using var moodle = await FakeMoodleWebService.StartAsync();
        var (course, brokenCourse) = (TestIds.Next(), TestIds.Next());
        var start = moodle.Now.AddDays(-30).ToUnixTimeSeconds();
        moodle.Courses.Add(new FakeCourse(1, "site", "Site", Format: "site"));
        moodle.Courses.Add(new FakeCourse(course, "SYNC", "Synchronisée", start));
        moodle.Courses.Add(new FakeCourse(brokenCourse, "NOPE", "Interdite"));
        moodle.Broken.Add(brokenCourse);
        var users = Enumerable.Range(0, 25).Select(_ => TestIds.Next()).ToList();
        foreach (var (id, i) in users.Select((id, i) => (id, i)))
        {
            moodle.Users[id] = new FakeUser(id, $"u{id}", Lang: "fr", TimeZone: "Europe/Paris");
            moodle.Enrolments.Add(new FakeEnrolment(id, course, id, i == 0 ? "editingteacher" : "student", LastCourseAccess: i % 2 == 0 ? 0 : start + (i * 86400)));
        }

        await using var core = await CoreAsync(moodle, ("Moodle:PageSize", "10"));
        var report = await core.Get<MoodleSync>().SyncAsync(baseline: true, TestContext.CancellationToken);

        Assert.AreEqual((1, 25, 1), (report.Courses, report.Learners, report.FailedCourses), "the site course is skipped; the course Moodle refuses is counted, not fatal");
        Assert.AreEqual(3 + 3 + 1, moodle.Calls.Count(c => c == "core_enrol_get_enrolled_users"), "25 users in pages of 10, twice (everyone, then onlyactive), and the refused course");
        Assert.AreEqual(1, moodle.Calls.Count(c => c == "core_user_get_users_by_field"));
        var first = (await core.Get<SnapshotStore>().GetAsync(course, users[1], TestContext.CancellationToken))!;
        Assert.AreEqual((MoodleSync.PulledEnrolmentId, Unix(start)), (first.Enrolments.Single().Id, first.Enrolments.Single().Created!.Value), "baseline: enrolled since the course start");
        Assert.AreEqual(Unix(start + 86400), first.LastAccess);
        Assert.AreEqual($"u{users[3]}@example.com", (await core.Get<LearnerStore>().GetAsync(users[3], TestContext.CancellationToken))!.Email);
        var health = await core.Get<HealthStore>().ReadAsync(TestContext.CancellationToken);
        Assert.AreEqual("1 course(s) failed", health.LastSyncError);
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
