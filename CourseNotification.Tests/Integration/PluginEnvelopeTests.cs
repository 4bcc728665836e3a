using System.Net;
using System.Text.Json.Nodes;
using CourseNotification.Enrolments;
using CourseNotification.Storage;
using CourseNotification.Tests.Security;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Tests.Integration;

/// <summary>
/// local_coursenotification's envelopes (ENVELOPE.md), signed, over real HTTP against <c>serve</c> and
/// Azurite: events checked whole and applied, then the state; pings, replays, refusals, removals, order.
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed class PluginEnvelopeTests
{
    private static LocalHost _host = null!;
    private static CapturedLogs _logs = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        _logs = new CapturedLogs();
        _host = await LocalHost.StartAsync(null, false, _logs, ("Moodle:WebhookSecrets", PluginEnvelope.Secret), ("Moodle:RoleIds", "5=student"));
    }

    [ClassCleanup]
    public static async Task StopAsync() => await _host.DisposeAsync();

    private static T Get<T>() where T : notnull => _host.App.Services.GetRequiredService<T>();

    private static DateTimeOffset Now => DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    private async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(PluginEnvelope envelope)
    {
        using var response = await _host.Http.SendAsync(envelope.Request(DateTimeOffset.UtcNow), TestContext.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);
        return (response.StatusCode, JsonNode.Parse(text) as JsonObject ?? []);
    }

    [TestMethod]
    public async Task A_batch_of_an_enrolment_applies_its_events_then_its_state()
    {
        var now = Now;
        var (course, learner, enrolment) = (TestIds.Next(), TestIds.Next(), TestIds.Next());
        var (start, end) = (now.AddDays(-10), now.AddDays(20));
        var envelope = new PluginEnvelope(MoodleEnvelopeIngest.Batch, now)
            .Enrolled(course, learner, enrolment, now)
            .Course(course, now.AddDays(-30), now.AddDays(60))
            .Learner(learner, "fr", "America/Montreal")
            .Enrolment(enrolment, course, learner, start, end);

        var (status, body) = await PostAsync(envelope);

        Assert.AreEqual(HttpStatusCode.Accepted, status, body.ToJsonString());
        Assert.AreEqual((2, 2), ((int)body["received"]!, (int)body["applied"]!));
        var counts = body["state"]!["enrolments"]!;
        Assert.AreEqual((0, 1), ((int)counts["created"]!, (int)counts["updated"]!), "the event created the enrolment, the state gave it Moodle's dates");
        var snapshot = await Get<SnapshotStore>().GetAsync(course, learner, TestContext.CancellationToken);
        var stored = snapshot!.Enrolments.Single();
        Assert.AreEqual((enrolment, true, start, end), (stored.Id, stored.Active, stored.Start, stored.End));
        CollectionAssert.AreEqual(new[] { "student" }, snapshot.Roles!.ToArray());
        Assert.AreEqual(("fr", "America/Montreal"), (snapshot.Profile!.Lang, snapshot.Profile.TimeZone));
        Assert.AreEqual(now, snapshot.StateAt);
        var storedCourse = await Get<CourseStore>().GetAsync(course, TestContext.CancellationToken);
        Assert.AreEqual((now.AddDays(-30), now.AddDays(60), $"Scenario course {course}"), (storedCourse!.StartDate, storedCourse.EndDate, storedCourse.FullName));
        var storedLearner = await Get<LearnerStore>().GetAsync(learner, TestContext.CancellationToken);
        Assert.AreEqual(($"user{learner}@example.com", "fr", "America/Montreal"), (storedLearner!.Email, storedLearner.Lang, storedLearner.TimeZone));
    }

    [TestMethod]
    public async Task A_state_page_alone_sets_status_dates_access_and_completion()
    {
        var now = Now;
        var course = TestIds.Next();
        var (suspended, done) = (TestIds.Next(), TestIds.Next());
        var envelope = new PluginEnvelope(MoodleEnvelopeIngest.State, now)
        {
            Backfill = new JsonObject { ["courseId"] = course, ["page"] = 0, ["pages"] = 1, ["perPage"] = 100, ["total"] = 2, ["last"] = true },
        }
            .Course(course, now.AddDays(-30), null, visible: false)
            .Learner(suspended, "en", "Europe/London", suspended: true).Learner(done)
            .Enrolment(suspended + 1, course, suspended, null, now.AddDays(3), status: "suspended")
            .Enrolment(done + 1, course, done, now.AddDays(-20), null, lastAccess: now.AddDays(-2), completedAt: now.AddDays(-1));

        var (status, body) = await PostAsync(envelope);

        Assert.AreEqual(HttpStatusCode.Accepted, status, body.ToJsonString());
        Assert.AreEqual(0, (int)body["received"]!);
        var first = await Get<SnapshotStore>().GetAsync(course, suspended, TestContext.CancellationToken);
        Assert.AreEqual((false, (DateTimeOffset?)null, now.AddDays(3)), (first!.Enrolments.Single().Active, first.Enrolments.Single().Start, first.Enrolments.Single().End));
        Assert.IsTrue(first.Profile!.Suspended, "the account is suspended");
        var second = await Get<SnapshotStore>().GetAsync(course, done, TestContext.CancellationToken);
        Assert.AreEqual((true, now.AddDays(-2), now.AddDays(-1)), (second!.Enrolments.Single().Active, second.LastAccess, second.CompletedAt));
        var storedCourse = await Get<CourseStore>().GetAsync(course, TestContext.CancellationToken);
        Assert.AreEqual((false, (DateTimeOffset?)null), (storedCourse!.Visible, storedCourse.EndDate), "endDate 0 is none");
    }

    [TestMethod]
    public async Task A_ping_is_answered_200_and_applies_nothing()
    {
        var envelope = new PluginEnvelope(MoodleEnvelopeIngest.Ping, Now);

        var (status, body) = await PostAsync(envelope);

        Assert.AreEqual(HttpStatusCode.OK, status, body.ToJsonString());
        Assert.AreEqual("moodle.ping", (string?)body["type"]);
        Assert.IsFalse(await Get<WebhookReplayStore>().WasAcceptedAsync(envelope.Id, TestContext.CancellationToken), "a ping is no delivery");
    }

    [TestMethod]
    public async Task A_replayed_envelope_is_answered_200_duplicate_and_not_applied_again()
    {
        var now = Now;
        var (course, learner) = (TestIds.Next(), TestIds.Next());
        var envelope = new PluginEnvelope(MoodleEnvelopeIngest.Batch, now)
            .Enrolled(course, learner, learner + 1, now).Learner(learner).Enrolment(learner + 1, course, learner, null, now.AddDays(5));
        Assert.AreEqual(HttpStatusCode.Accepted, (await PostAsync(envelope)).Status);
        // Something changed the snapshot since (a newer envelope, an upsert): the replay must not undo it.
        await Get<SnapshotStore>().UpdateAsync(course, learner, s => s with { LastAccess = now.AddHours(1) }, TestContext.CancellationToken);

        var (status, body) = await PostAsync(envelope);

        Assert.AreEqual(HttpStatusCode.OK, status, body.ToJsonString());
        Assert.IsTrue((bool)body["duplicate"]!);
        Assert.AreEqual(now.AddHours(1), (await Get<SnapshotStore>().GetAsync(course, learner, TestContext.CancellationToken))!.LastAccess);
    }

    [TestMethod]
    public async Task A_bad_event_refuses_the_whole_envelope_naming_it()
    {
        var now = Now;
        var (course, learner, other) = (TestIds.Next(), TestIds.Next(), TestIds.Next());
        var envelope = new PluginEnvelope(MoodleEnvelopeIngest.Batch, now)
            .Enrolled(course, learner, learner + 1, now)
            .Event(@"\core\event\user_enrolment_updated", course, learner, learner + 1, now)
            .Event(@"\core\event\user_enrolment_deleted", course, other, other + 1, now, new JsonObject
            {
                ["userenrolment"] = new JsonObject { ["id"] = other + 1, ["timestart"] = "99999999999999", ["timeend"] = 0, ["timecreated"] = 0 },
            })
            .Learner(learner).Enrolment(learner + 1, course, learner, null, null);

        var (status, body) = await PostAsync(envelope);

        Assert.AreEqual(HttpStatusCode.BadRequest, status, body.ToJsonString());
        Assert.AreEqual("events[3].other.userenrolment.timestart", (string?)body["field"]);
        Assert.IsNull(await Get<SnapshotStore>().GetAsync(course, learner, TestContext.CancellationToken), "neither the good events nor the state were applied");
        Assert.IsNull(await Get<LearnerStore>().GetAsync(learner, TestContext.CancellationToken));
        Assert.IsFalse(await Get<WebhookReplayStore>().WasAcceptedAsync(envelope.Id, TestContext.CancellationToken));
    }

    [TestMethod]
    public async Task A_state_item_the_writer_refuses_is_reported_and_the_rest_applied()
    {
        var now = Now;
        var course = TestIds.Next();
        var (good, bad) = (TestIds.Next(), TestIds.Next());
        var envelope = new PluginEnvelope(MoodleEnvelopeIngest.Batch, now)
            .Enrolled(course, good, good + 1, now).Enrolled(course, bad, bad + 1, now)
            .Learner(bad, email: "Ana <ana@example.com>").Learner(good)
            .Enrolment(bad + 1, course, bad, null, now.AddDays(9)).Enrolment(good + 1, course, good, null, now.AddDays(9))
            .Enrolment(0, course, good, null, null);

        var (status, body) = await PostAsync(envelope);

        Assert.AreEqual(HttpStatusCode.Accepted, status, body.ToJsonString());
        var rejected = body["state"]!["rejected"]!.AsArray().Select(r => (string?)r!["field"]).ToArray();
        CollectionAssert.AreEqual(new[] { "state.learners[0].email", "state.enrolments[2].id" }, rejected);
        Assert.IsNull(await Get<LearnerStore>().GetAsync(bad, TestContext.CancellationToken), "the refused learner is not written");
        Assert.AreEqual(now.AddDays(9), (await Get<SnapshotStore>().GetAsync(course, bad, TestContext.CancellationToken))!.Enrolments.Single().End, "their enrolment is");
        Assert.AreEqual(now.AddDays(9), (await Get<SnapshotStore>().GetAsync(course, good, TestContext.CancellationToken))!.Enrolments.Single().End);
        Assert.IsTrue(await Get<WebhookReplayStore>().WasAcceptedAsync(envelope.Id, TestContext.CancellationToken), "accepted: the plugin will not send it again");
        Assert.IsFalse(_logs.Lines.Any(l => l.Contains("ana@example.com", StringComparison.Ordinal)), "the refused value is not logged");
        Assert.IsTrue(_logs.Lines.Any(l => l.Contains(envelope.Id, StringComparison.Ordinal) && l.Contains("state.learners[0].email", StringComparison.Ordinal)));
    }

    [TestMethod]
    public async Task Removed_learner_course_and_enrolment_are_erased_deleted_and_ended()
    {
        var now = Now;
        var (course, gone, stays, leaves, deletedCourse) = (TestIds.Next(), TestIds.Next(), TestIds.Next(), TestIds.Next(), TestIds.Next());
        var setup = new PluginEnvelope(MoodleEnvelopeIngest.State, now.AddMinutes(-5))
            .Course(course, now.AddDays(-3), null).Course(deletedCourse, now.AddDays(-3), null)
            .Learner(gone).Learner(stays).Learner(leaves)
            .Enrolment(gone + 1, course, gone, null, null).Enrolment(stays + 1, course, stays, null, null)
            .Enrolment(leaves + 1, course, leaves, null, null).Enrolment(stays + 2, deletedCourse, stays, null, null);
        Assert.AreEqual(HttpStatusCode.Accepted, (await PostAsync(setup)).Status);

        var envelope = new PluginEnvelope(MoodleEnvelopeIngest.Batch, now)
            .Event(@"\core\event\user_deleted", 0, gone, gone, now)
            .Event(@"\core\event\course_deleted", deletedCourse, 0, deletedCourse, now)
            .Event(@"\core\event\user_enrolment_deleted", course, leaves, leaves + 1, now, new JsonObject
            {
                ["userenrolment"] = new JsonObject { ["id"] = leaves + 1, ["timestart"] = 0, ["timeend"] = 0, ["timecreated"] = PluginEnvelope.Unix(now.AddMinutes(-5)) },
            });
        envelope.RemovedLearners.Add(gone);
        envelope.RemovedCourses.Add(deletedCourse);
        envelope.RemovedEnrolments.Add(new JsonObject { ["id"] = leaves + 1, ["courseId"] = course, ["learnerId"] = leaves });
        var (status, body) = await PostAsync(envelope);

        Assert.AreEqual(HttpStatusCode.Accepted, status, body.ToJsonString());
        var snapshots = Get<SnapshotStore>();
        Assert.IsNull(await Get<LearnerStore>().GetAsync(gone, TestContext.CancellationToken), "the person is erased");
        Assert.IsNull(await snapshots.GetAsync(course, gone, TestContext.CancellationToken));
        Assert.IsNull(await Get<CourseStore>().GetAsync(deletedCourse, TestContext.CancellationToken), "the course is deleted");
        Assert.IsNull(await snapshots.GetAsync(deletedCourse, stays, TestContext.CancellationToken));
        var ended = (await snapshots.GetAsync(course, leaves, TestContext.CancellationToken))!.Enrolments.Single();
        Assert.IsFalse(ended.IsActive, "the enrolment is a tombstone");
        Assert.IsNotNull(ended.RemovedAt);
        Assert.IsTrue((await snapshots.GetAsync(course, stays, TestContext.CancellationToken))!.Enrolments.Single().IsActive);
    }

    [TestMethod]
    public async Task Removed_enrolment_in_state_alone_leaves_a_tombstone()
    {
        var now = Now;
        var (course, learner) = (TestIds.Next(), TestIds.Next());
        Assert.AreEqual(HttpStatusCode.Accepted, (await PostAsync(new PluginEnvelope(MoodleEnvelopeIngest.State, now.AddSeconds(-10))
            .Learner(learner).Enrolment(learner + 1, course, learner, null, now.AddDays(4)))).Status);
        var envelope = new PluginEnvelope(MoodleEnvelopeIngest.State, now);
        envelope.RemovedEnrolments.Add(new JsonObject { ["id"] = learner + 1, ["courseId"] = course, ["learnerId"] = learner });

        var (_, body) = await PostAsync(envelope);

        Assert.AreEqual(1, (int)body["state"]!["removedEnrolments"]!, body.ToJsonString());
        var ended = (await Get<SnapshotStore>().GetAsync(course, learner, TestContext.CancellationToken))!.Enrolments.Single();
        Assert.AreEqual((false, now, now.AddDays(4)), (ended.IsActive, ended.RemovedAt, ended.End), "removed at the envelope's time, its end kept");
    }

    [TestMethod]
    public async Task An_older_envelope_does_not_overwrite_a_newer_state()
    {
        var now = Now;
        var (course, learner) = (TestIds.Next(), TestIds.Next());
        var older = new PluginEnvelope(MoodleEnvelopeIngest.Batch, now.AddMinutes(-2))
            .Event(@"\core\event\user_enrolment_updated", course, learner, learner + 1, now.AddMinutes(-2))
            .Course(course, now.AddDays(-1), now.AddDays(30)).Learner(learner, "en", "Europe/London")
            .Enrolment(learner + 1, course, learner, null, now.AddDays(10), status: "suspended");
        var newer = new PluginEnvelope(MoodleEnvelopeIngest.Batch, now)
            .Event(@"\core\event\user_enrolment_updated", course, learner, learner + 1, now)
            .Course(course, now.AddDays(-1), now.AddDays(40)).Learner(learner, "fr", "Europe/Paris")
            .Enrolment(learner + 1, course, learner, null, now.AddDays(20));

        Assert.AreEqual(HttpStatusCode.Accepted, (await PostAsync(newer)).Status);
        var (status, body) = await PostAsync(older);

        Assert.AreEqual(HttpStatusCode.Accepted, status, body.ToJsonString());
        Assert.AreEqual(3, (int)body["state"]!["stale"]!, "course, learner and enrolment were all newer");
        var snapshot = await Get<SnapshotStore>().GetAsync(course, learner, TestContext.CancellationToken);
        Assert.AreEqual((true, now.AddDays(20)), (snapshot!.Enrolments.Single().Active, snapshot.Enrolments.Single().End), "the extended end date stays");
        Assert.AreEqual("fr", snapshot.Profile!.Lang);
        Assert.AreEqual("fr", (await Get<LearnerStore>().GetAsync(learner, TestContext.CancellationToken))!.Lang);
        Assert.AreEqual(now.AddDays(40), (await Get<CourseStore>().GetAsync(course, TestContext.CancellationToken))!.EndDate);
    }

    [TestMethod]
    public async Task Activity_views_count_as_course_access_and_teacher_overrides_do_not()
    {
        var now = Now;
        var (course, viewer, overridden) = (TestIds.Next(), TestIds.Next(), TestIds.Next());
        Assert.AreEqual(HttpStatusCode.Accepted, (await PostAsync(new PluginEnvelope(MoodleEnvelopeIngest.State, now.AddMinutes(-10))
            .Learner(viewer).Learner(overridden)
            .Enrolment(viewer + 1, course, viewer, null, null).Enrolment(overridden + 1, course, overridden, null, null))).Status);

        var envelope = new PluginEnvelope(MoodleEnvelopeIngest.Batch, now)
            .Event(@"\mod_page\event\course_module_viewed", course, 0, 7, now.AddMinutes(-3), actor: viewer, edulevel: 2, crud: "r")
            .Event(@"\mod_assign\event\assessable_submitted", course, 0, 8, now.AddMinutes(-1), actor: viewer, edulevel: 2)
            .Event(@"\core\event\course_module_completion_updated", course, overridden, 9, now.AddMinutes(-2),
                new JsonObject { ["relateduserid"] = overridden, ["overrideby"] = 2, ["completionstate"] = 1 })
            .Event(@"\mod_page\event\course_module_viewed", 0, 0, 7, now, actor: viewer, edulevel: 2, crud: "r");
        var (status, body) = await PostAsync(envelope);

        Assert.AreEqual(HttpStatusCode.Accepted, status, body.ToJsonString());
        Assert.AreEqual((4, 2, 2), ((int)body["received"]!, (int)body["applied"]!, (int)body["ignored"]!));
        var viewed = await Get<SnapshotStore>().GetAsync(course, viewer, TestContext.CancellationToken);
        Assert.AreEqual((now.AddMinutes(-3), now.AddMinutes(-1)), (viewed!.FirstAccess, viewed.LastAccess));
        Assert.IsNull((await Get<SnapshotStore>().GetAsync(course, overridden, TestContext.CancellationToken))!.LastAccess, "a teacher's override is not the learner's visit");
    }

    [TestMethod]
    public async Task An_unsigned_envelope_is_refused()
    {
        using var content = new StringContent(new PluginEnvelope(MoodleEnvelopeIngest.Batch, Now).Json(), System.Text.Encoding.UTF8, "application/json");
        using var response = await _host.Http.PostAsync("api/moodle/events", content, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
