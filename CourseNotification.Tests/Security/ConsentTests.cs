using System.Globalization;
using System.Text.Json.Nodes;
using CourseNotification.Dispatch;
using CourseNotification.Enrolments;
using CourseNotification.Scanning;
using CourseNotification.Signals;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;
using Microsoft.Extensions.Time.Testing;

namespace CourseNotification.Tests.Security;

/// <summary>An opt-out cannot be undone by anything racing it, and it is the learner's own row that stops a send.</summary>
[TestClass]
[TestCategory("storage")]
public sealed class ConsentTests
{
    private static readonly DateTimeOffset Opening = new(2031, 3, 3, 0, 0, 0, TimeSpan.FromHours(1));

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task A_thousand_logins_racing_a_thousand_unsubscribes_never_win()
    {
        await using var core = await CoreServices.StartAsync();
        var course = TestIds.Next();
        var learners = Enumerable.Range(0, 1000).Select(_ => TestIds.Next()).ToList();
        var created = await core.Get<SnapshotIngest>().UpsertAsync(new JsonObject
        {
            ["learners"] = new JsonArray([.. learners.Select(id => (JsonNode)new JsonObject { ["id"] = id, ["email"] = $"race{id}@example.org", ["lang"] = "fr" })]),
            ["enrolments"] = new JsonArray([.. learners.Select(id => (JsonNode)new JsonObject { ["id"] = id, ["courseId"] = course, ["learnerId"] = id, ["start"] = Opening.ToUnixTimeSeconds() })]),
        }, TestContext.CancellationToken);
        Assert.AreEqual(0, created.Rejected.Count);
        var (optOut, events) = (core.Get<OptOut>(), core.Get<MoodleEventIngest>());

        await Parallel.ForEachAsync(learners, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = TestContext.CancellationToken }, async (id, ct) =>
        {
            var login = new JsonObject
            {
                ["eventname"] = @"\core\event\user_loggedin",
                ["userid"] = id.ToString(CultureInfo.InvariantCulture),
                ["objectid"] = id.ToString(CultureInfo.InvariantCulture),
                ["timecreated"] = Opening.AddDays(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            };
            await Task.WhenAll(
                Task.Run(() => optOut.ApplyAsync(id, ct), ct),
                Task.Run(() => events.IngestAsync(login, ReadOnlyMemory<byte>.Empty, new WebhookHeaders(null, null, null), ct), ct));
        });

        var stored = await core.Get<LearnerStore>().GetManyAsync(learners, TestContext.CancellationToken);
        var undone = learners.Where(id => !stored[id].OptedOut).ToList();
        Assert.AreEqual(0, undone.Count, $"opt-outs undone by a login: {string.Join(", ", undone.Take(10))}");
        Assert.IsTrue(learners.All(id => stored[id].LastLogin is not null), "every login landed too");
        var snapshots = core.Get<SnapshotStore>();
        var copies = new List<EnrolmentSnapshot>();
        await foreach (var page in snapshots.ListPagesAsync(course, 1000, TestContext.CancellationToken))
        {
            copies.AddRange(page);
        }
        Assert.AreEqual(1000, copies.Count(s => s.Profile is { OptedOut: true }), "every snapshot carries the opt-out");
    }

    [TestMethod]
    public async Task The_learners_own_row_stops_a_send_whose_snapshot_copy_lags_behind()
    {
        var at = Opening.AddHours(10);
        await using var core = await CoreServices.StartAsync(new FakeTimeProvider(at));
        var (course, learner) = (TestIds.Next(), TestIds.Next());
        await core.Get<SnapshotIngest>().UpsertAsync(new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Consentement", ["startDate"] = Opening.ToString("O") }),
            ["learners"] = new JsonArray(new JsonObject { ["id"] = learner, ["email"] = $"lag{learner}@example.org", ["lang"] = "fr" }),
            ["enrolments"] = new JsonArray(new JsonObject { ["id"] = learner, ["courseId"] = course, ["learnerId"] = learner, ["start"] = Opening.ToUnixTimeSeconds() }),
        }, TestContext.CancellationToken);
        // The row says opted out; the snapshot's copy has not caught up (the copy failed half-way).
        var learners = core.Get<LearnerStore>();
        await learners.UpdateAsync(new LearnerPatch(learner) { OptOut = true }, onlyExisting: true, TestContext.CancellationToken);
        Assert.IsFalse((await core.Get<SnapshotStore>().GetAsync(course, learner, TestContext.CancellationToken))!.Profile!.OptedOut);

        var message = new NotificationMessage(course, learner, SignalKeys.Welcome, DateOnly.FromDateTime(Opening.Date), 0, at);
        Assert.AreEqual(DispatchOutcome.NoLongerDue, await core.Get<NotificationDispatcher>().HandleAsync(message, 1, TestContext.CancellationToken));
        Assert.AreEqual(0, (await core.Get<LedgerStore>().ReadLearnerAsync(course, learner, TestContext.CancellationToken)).Count, "nothing claimed, nothing sent");

        // Unsubscribing again finishes the copy.
        await core.Get<OptOut>().ApplyAsync(learner, TestContext.CancellationToken);
        Assert.IsTrue((await core.Get<SnapshotStore>().GetAsync(course, learner, TestContext.CancellationToken))!.Profile!.OptedOut);
    }
}
