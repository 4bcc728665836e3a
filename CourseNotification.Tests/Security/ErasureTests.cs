using System.Globalization;
using System.Text.Json.Nodes;
using CourseNotification.Enrolments;
using CourseNotification.Signals;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;

namespace CourseNotification.Tests.Security;

/// <summary>Erasure finds a person's rows in courses deleted before it, and takes their own names out of what they wrote whatever their length.</summary>
[TestClass]
[TestCategory("storage")]
public sealed class ErasureTests
{
    private static readonly DateTimeOffset At = new(2033, 6, 1, 9, 0, 0, TimeSpan.Zero);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task A_course_deleted_before_the_erasure_keeps_nothing_of_the_person()
    {
        await using var core = await CoreServices.StartAsync();
        var (gone, kept, person) = (TestIds.Next(), TestIds.Next(), TestIds.Next());
        await core.Get<SnapshotIngest>().UpsertAsync(new JsonObject
        {
            ["learners"] = new JsonArray(new JsonObject { ["id"] = person, ["email"] = $"li.wu.{person}@example.org", ["firstName"] = "Li", ["lastName"] = "Wu", ["username"] = $"lwu{person}" }),
            ["enrolments"] = new JsonArray(
                new JsonObject { ["id"] = TestIds.Next(), ["courseId"] = gone, ["learnerId"] = person, ["start"] = At.ToUnixTimeSeconds() },
                new JsonObject { ["id"] = TestIds.Next(), ["courseId"] = kept, ["learnerId"] = person, ["start"] = At.ToUnixTimeSeconds() }),
        }, TestContext.CancellationToken);
        var ledger = core.Get<LedgerStore>();
        var answers = core.Get<AnswerStore>();
        foreach (var course in new[] { gone, kept })
        {
            var key = new SendKey(course, person, SignalKeys.Welcome, DateOnly.FromDateTime(At.UtcDateTime), 0);
            var claim = await ledger.TryClaimAsync(key, At, TimeSpan.FromMinutes(1), TestContext.CancellationToken);
            await ledger.MarkSentAsync(key, claim.ETag, At, "<id@example.org>", TestContext.CancellationToken);
            await answers.AddAsync(new StoredAnswer(course, "hot", "named", "en", DateOnly.FromDateTime(At.UtcDateTime), false, person,
                new Dictionary<string, IReadOnlyList<string>> { ["comment"] = ["I am Li Wu, thanks to Mr.Wu's team (li-wu)"] }), TestContext.CancellationToken);
        }

        // The person also teaches: their weekly digest's send is kept under course 0, outside the index.
        var digest = CourseNotification.Digest.TrainerDigest.Key(person, new DateOnly(2033, 5, 30));
        var digestClaim = await ledger.TryClaimAsync(digest, At, TimeSpan.FromMinutes(1), TestContext.CancellationToken);
        await ledger.MarkSentAsync(digest, digestClaim.ETag, At, "<digest@example.org>", TestContext.CancellationToken);

        await PlainEventAsync(core, "course_deleted", gone, 0);
        await PlainEventAsync(core, "user_deleted", 0, person);
        Assert.AreEqual(0, (await ledger.ReadLearnerAsync(CourseNotification.Digest.TrainerDigest.SiteCourse, person, TestContext.CancellationToken)).Count, "the digest's send is not linked to the person");

        foreach (var course in new[] { gone, kept })
        {
            Assert.AreEqual(0, (await ledger.ReadLearnerAsync(course, person, TestContext.CancellationToken)).Count, $"no send of course {course} is linked to the person");
            Assert.AreEqual(0, (await answers.OfLearnerAsync(course, person, TestContext.CancellationToken)).Count, $"no answer of course {course} is linked to the person");
            var comments = new List<string>();
            await foreach (var page in answers.ListPagesAsync(course, DateOnly.MinValue, DateOnly.MaxValue, TestContext.CancellationToken))
            {
                comments.AddRange(page.SelectMany(a => a.Values["comment"]));
            }
            Assert.AreEqual("I am […] […], thanks to Mr.[…] team ([…])", comments.Single(), $"course {course}: two-letter names are the person's too");
        }
        Assert.AreEqual(0, (await core.Get<SnapshotStore>().CoursesOfLearnerAsync(person, TestContext.CancellationToken)).Count);
    }

    [TestMethod]
    public async Task A_retried_anonymisation_leaves_one_anonymous_row_per_send()
    {
        await using var core = await CoreServices.StartAsync();
        var (course, person) = (TestIds.Next(), TestIds.Next());
        var ledger = core.Get<LedgerStore>();
        var key = new SendKey(course, person, SignalKeys.Welcome, DateOnly.FromDateTime(At.UtcDateTime), 0);
        var claim = await ledger.TryClaimAsync(key, At, TimeSpan.FromMinutes(1), TestContext.CancellationToken);
        await ledger.MarkSentAsync(key, claim.ETag, At, "<id@example.org>", TestContext.CancellationToken);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            try
            {
                await ledger.AnonymizeAsync(course, person, TestContext.CancellationToken);
            }
            catch (Azure.Data.Tables.TableTransactionFailedException)
            {
                // Another erasure moved the row first: its transaction won, this one changed nothing.
            }
        }));
        await ledger.AnonymizeAsync(course, person, TestContext.CancellationToken);

        var rows = core.Get<StorageAccount>().Table(StorageNames.LedgerTable).Query<Azure.Data.Tables.TableEntity>(e => e.PartitionKey == StorageNames.Key(course)).ToList();
        Assert.AreEqual(1, rows.Count, string.Join(", ", rows.Select(r => r.RowKey)));
        StringAssert.StartsWith(rows[0].RowKey, "erased|");
    }

    private async Task PlainEventAsync(CoreServices core, string name, long course, long user)
    {
        var moodleEvent = new JsonObject
        {
            ["eventname"] = @"\core\event\" + name,
            ["courseid"] = course.ToString(CultureInfo.InvariantCulture),
            ["relateduserid"] = user.ToString(CultureInfo.InvariantCulture),
            ["userid"] = "2",
            ["timecreated"] = At.AddDays(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        };
        var report = await core.Get<MoodleEventIngest>().IngestAsync(moodleEvent, ReadOnlyMemory<byte>.Empty, new WebhookHeaders(null, null, null), TestContext.CancellationToken);
        Assert.AreEqual(1, report.Applied, name);
    }
}
