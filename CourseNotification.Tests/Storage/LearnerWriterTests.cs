using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using CourseNotification.Enrolments;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;

namespace CourseNotification.Tests.Storage;

/// <summary>
/// The learners' one writer against another writer that comes in between its read and its write (made
/// to happen every time by a hook in the storage pipeline): the ETag sends it back to read again, so the
/// merge rules see what the other wrote.
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed class LearnerWriterTests
{
    private static readonly DateTimeOffset T = new(2031, 4, 7, 8, 0, 0, TimeSpan.Zero);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task An_older_state_that_read_before_a_newer_one_was_written_does_not_overwrite_it()
    {
        var between = new WriteBetweenReadAndWrite();
        await using var core = await CoreServices.StartAsync(null, between, null);
        var (learners, id) = (core.Get<LearnerStore>(), TestIds.Next());
        await learners.UpdateAsync(new LearnerPatch(id) { Lang = "fr", StateAt = T }, onlyExisting: false, TestContext.CancellationToken);

        between.Arm(id, () => learners.UpdateAsync(new LearnerPatch(id) { Lang = "en", TimeZone = "America/Montreal", StateAt = T.AddMinutes(2) }, onlyExisting: false, TestContext.CancellationToken));
        await learners.UpdateAsync(new LearnerPatch(id) { Lang = "de", TimeZone = "Europe/Berlin", StateAt = T.AddMinutes(1) }, onlyExisting: false, TestContext.CancellationToken);

        Assert.IsTrue(between.Happened, "the other write came in between");
        var stored = (await learners.GetAsync(id, TestContext.CancellationToken))!;
        Assert.AreEqual(("en", "America/Montreal", T.AddMinutes(2)), (stored.Lang, stored.TimeZone, stored.StateAt));
    }

    [TestMethod]
    public async Task A_bulk_write_that_lost_a_race_re_applies_its_patch_over_the_winner()
    {
        var between = new WriteBetweenReadAndWrite();
        await using var core = await CoreServices.StartAsync(null, between, null);
        var (learners, id) = (core.Get<LearnerStore>(), TestIds.Next());
        await learners.UpdateAsync(new LearnerPatch(id) { Email = $"bulk{id}@example.org", Lang = "fr" }, onlyExisting: false, TestContext.CancellationToken);

        between.Arm(id, () => learners.UpdateAsync(new LearnerPatch(id) { OptOut = true, LoggedInAt = T.AddDays(1) }, onlyExisting: true, TestContext.CancellationToken));
        var results = await learners.UpdateManyAsync([new LearnerPatch(id) { Lang = "en", LoggedInAt = T }, new LearnerPatch(id) { FirstName = "Léa" }], TestContext.CancellationToken);

        Assert.IsTrue(between.Happened, "the other write came in between");
        var stored = (await learners.GetAsync(id, TestContext.CancellationToken))!;
        Assert.AreEqual(("en", "Léa", true, T.AddDays(1)), (stored.Lang, stored.FirstName, stored.OptedOut, stored.LastLogin),
            "both patches applied over the other write, whose opt-out and later login stay");
        Assert.AreEqual(stored, results[id].After);
    }

    [TestMethod]
    public async Task A_snapshot_upsert_of_a_learner_keeps_an_opt_out_written_after_it_read()
    {
        var between = new WriteBetweenReadAndWrite();
        await using var core = await CoreServices.StartAsync(null, between, null);
        var id = TestIds.Next();
        var ingest = core.Get<SnapshotIngest>();
        JsonObject Learner(string lang) => new() { ["learners"] = new JsonArray(new JsonObject { ["id"] = id, ["email"] = $"up{id}@example.org", ["lang"] = lang }) };
        await ingest.UpsertAsync(Learner("fr"), TestContext.CancellationToken);

        between.Arm(id, () => core.Get<OptOut>().ApplyAsync(id, TestContext.CancellationToken));
        await ingest.UpsertAsync(Learner("en"), TestContext.CancellationToken);

        Assert.IsTrue(between.Happened);
        var stored = (await core.Get<LearnerStore>().GetAsync(id, TestContext.CancellationToken))!;
        Assert.AreEqual(("en", true), (stored.Lang, stored.OptedOut));
    }

    /// <summary>Once armed, runs another write right after the next read of that learner's row returns, before its reader can write.</summary>
    private sealed class WriteBetweenReadAndWrite : HttpPipelinePolicy
    {
        private string? _partition;
        private Func<Task>? _write;

        public bool Happened { get; private set; }

        public void Arm(long learnerId, Func<Task> write) => (_partition, _write) = (StorageNames.Key(learnerId), write);

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The storage clients are used asynchronously.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            var path = Uri.UnescapeDataString(message.Request.Uri.ToUri().PathAndQuery);
            if (message.Request.Method == RequestMethod.Get && path.Contains($"/{StorageNames.LearnersTable}", StringComparison.Ordinal)
                && _partition is { } partition && path.Contains(partition, StringComparison.Ordinal) && Interlocked.Exchange(ref _write, null) is { } write)
            {
                await write();
                Happened = true;
            }
        }
    }
}
