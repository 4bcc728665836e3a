using System.Text.Json.Nodes;
using CourseNotification.Enrolments;
using CourseNotification.Storage;

namespace CourseNotification.Tests.Integration;

/// <summary>PUT /api/snapshots semantics against real Table Storage (Azurite).</summary>
[TestClass]
[TestCategory("storage")]
public sealed class SnapshotIngestTests
{
    private static JsonObject Body(string json) => JsonNode.Parse(json)!.AsObject();

    [TestMethod]
    public async Task A_field_left_out_keeps_its_stored_value()
    {
        await using var core = await CoreServices.StartAsync();
        var ingest = core.Get<SnapshotIngest>();
        var (course, learner, enrolment) = (TestIds.Next(), TestIds.Next(), TestIds.Next());
        await ingest.UpsertAsync(Body($$"""
            {"courses":[{"id":{{course}},"shortName":"CS","fullName":"Sécurité","startDate":"2026-01-05T00:00:00+01:00","endDate":1774911600}],
             "learners":[{"id":{{learner}},"email":"a@example.org","firstName":"Ana","lang":"fr","timeZone":"Europe/Paris"}],
             "enrolments":[{"id":{{enrolment}},"courseId":{{course}},"learnerId":{{learner}},"start":1767571200,"end":1774911600,"roles":["student"]}]}
            """), CancellationToken.None);

        var report = await ingest.UpsertAsync(Body($$"""
            {"courses":[{"id":{{course}},"fullName":"Sécurité au travail"}],
             "learners":[{"id":"{{learner}}","lang":"en"}],
             "enrolments":[{"id":{{enrolment}},"courseId":{{course}},"learnerId":{{learner}},"end":0}]}
            """), CancellationToken.None);

        Assert.AreEqual(new UpsertCounts(0, 1, 0), report.Courses);
        Assert.AreEqual(new UpsertCounts(0, 1, 0), report.Learners);
        Assert.AreEqual(new UpsertCounts(0, 1, 0), report.Enrolments);
        var storedCourse = await core.Get<CourseStore>().GetAsync(course, CancellationToken.None);
        Assert.AreEqual(("CS", "Sécurité au travail"), (storedCourse!.ShortName, storedCourse.FullName));
        Assert.AreEqual(DateTimeOffset.FromUnixTimeSeconds(1774911600), storedCourse.EndDate);
        var storedLearner = await core.Get<LearnerStore>().GetAsync(learner, CancellationToken.None);
        Assert.AreEqual(("a@example.org", "Ana", "en"), (storedLearner!.Email, storedLearner.FirstName, storedLearner.Lang));
        var snapshot = await core.Get<SnapshotStore>().GetAsync(course, learner, CancellationToken.None);
        var stored = snapshot!.Enrolments.Single();
        Assert.AreEqual(DateTimeOffset.FromUnixTimeSeconds(1767571200), stored.Start, "start was left out: kept");
        Assert.IsNull(stored.End, "end 0 means open-ended");
        CollectionAssert.AreEqual(new[] { "student" }, snapshot.Roles!.ToArray());
        Assert.AreEqual("en", snapshot.Profile!.Lang, "a learner's change reaches their snapshots");
    }

    [TestMethod]
    public async Task One_bad_item_is_rejected_with_its_reason_and_the_others_are_stored()
    {
        await using var core = await CoreServices.StartAsync();
        var (good, bad) = (TestIds.Next(), TestIds.Next());
        var report = await core.Get<SnapshotIngest>().UpsertAsync(Body($$"""
            {"learners":[{"id":{{good}},"email":"ok@example.org"},{"id":{{bad}},"email":"not-an-address"},{"email":"x@example.org"},"text"],
             "enrolments":[{"id":1,"courseId":2,"learnerId":{{good}},"start":"5 January"}]}
            """), CancellationToken.None);

        Assert.AreEqual(new UpsertCounts(1, 0, 3), report.Learners);
        Assert.AreEqual(new UpsertCounts(0, 0, 1), report.Enrolments);
        CollectionAssert.AreEqual(
            new[] { ("learners", 1, "email"), ("learners", 2, "id"), ("learners", 3, "learners"), ("enrolments", 0, "start") },
            report.Rejected.Select(r => (r.Kind, r.Index, r.Field)).ToArray());
        Assert.IsNotNull(await core.Get<LearnerStore>().GetAsync(good, CancellationToken.None));
        Assert.IsNull(await core.Get<LearnerStore>().GetAsync(bad, CancellationToken.None));
        Assert.IsNull(await core.Get<SnapshotStore>().GetAsync(2, good, CancellationToken.None), "a rejected enrolment changes nothing");
    }

    [TestMethod]
    public async Task An_enrolment_event_does_not_overwrite_dates_known_from_an_upsert()
    {
        await using var core = await CoreServices.StartAsync();
        var (course, learner, enrolment) = (TestIds.Next(), TestIds.Next(), TestIds.Next());
        await core.Get<SnapshotIngest>().UpsertAsync(Body($$"""
            {"enrolments":[{"id":{{enrolment}},"courseId":{{course}},"learnerId":{{learner}},"start":1767571200,"end":1774911600}]}
            """), CancellationToken.None);
        var report = await core.Get<MoodleEventIngest>().IngestAsync(JsonNode.Parse($$"""
            [{"eventname":"\\core\\event\\user_enrolment_created","courseid":"{{course}}","relateduserid":"{{learner}}","objectid":"{{enrolment}}","other":{"enrol":"self"},"timecreated":"1767000000"},
             {"eventname":"\\core\\event\\something_else","courseid":"1"}]
            """)!, ReadOnlyMemory<byte>.Empty, new WebhookHeaders(null, null, null), CancellationToken.None);

        Assert.AreEqual(new EventReport(2, 1, 1), report);
        var stored = (await core.Get<SnapshotStore>().GetAsync(course, learner, CancellationToken.None))!.Enrolments.Single();
        Assert.AreEqual(DateTimeOffset.FromUnixTimeSeconds(1767571200), stored.Start);
        Assert.AreEqual(DateTimeOffset.FromUnixTimeSeconds(1774911600), stored.End);
    }

    [TestMethod]
    public async Task Concurrent_updates_of_one_snapshot_all_land()
    {
        await using var core = await CoreServices.StartAsync();
        var snapshots = core.Get<SnapshotStore>();
        var (course, learner) = (TestIds.Next(), TestIds.Next());
        await Task.WhenAll(Enumerable.Range(1, 8).Select(id =>
            snapshots.UpdateAsync(course, learner, s => s.WithEnrolment(new Enrolment { Id = id }), CancellationToken.None)));
        var stored = await snapshots.GetAsync(course, learner, CancellationToken.None);
        CollectionAssert.AreEquivalent(Enumerable.Range(1, 8).Select(i => (long)i).ToArray(), stored!.Enrolments.Select(e => e.Id).ToArray());
    }
}
