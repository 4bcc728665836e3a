using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Azure;
using CourseNotification.Dispatch;
using CourseNotification.Enrolments;
using CourseNotification.Questionnaires;
using CourseNotification.Scanning;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;
using CourseNotification.Tests.Security;
using Microsoft.Extensions.Time.Testing;

namespace CourseNotification.Tests.Integration;

/// <summary>
/// The rows that pack many things into one entity, filled to their largest under Azure's limits
/// (<see cref="AzureLimits"/>, which Azurite alone would never enforce): the <c>queued</c> rows (one per
/// batch of sends a scan queued) and the daily campaign count rows (one property per counted send).
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed class RowsAtTheirLargestTests
{
    private static readonly DateTimeOffset At = new(2031, 3, 12, 10, 0, 0, TimeSpan.FromHours(1));

    public TestContext TestContext { get; set; } = null!;

    /// <summary>The longest send key the product makes: the largest learner id, the longest campaign id (20) and a two-digit reminder, the last date, the largest repeat.</summary>
    private static SendKey Longest(long course, int i) =>
        new(course, long.MaxValue - i, QuestionnaireSignals.Reminder("abcdefghij-klmnopqrs", 99), DateOnly.MaxValue, int.MaxValue);

    [TestMethod]
    public async Task A_scan_s_batch_of_100_sends_with_the_longest_keys_is_one_row_and_101_stale_rows_are_forgotten()
    {
        await using var core = await CoreServices.StartAsync();
        var store = core.Get<QueuedSendStore>();
        var course = TestIds.Next();

        // A scan records its sends by batches of 100 (a little more when a learner's last decisions overflow it): 140 here, at the latest instants.
        var sends = Enumerable.Range(0, 140).Select(i => (Longest(course, i), DateTimeOffset.MaxValue.AddDays(-1).AddSeconds(-i))).ToList();
        await store.RecordAsync(course, sends.Take(100).ToList(), TestContext.CancellationToken);
        await store.RecordAsync(course, sends.Skip(100).ToList(), TestContext.CancellationToken);
        var read = await store.ReadCourseAsync(course, At, TestContext.CancellationToken);
        Assert.AreEqual(140, read.Sum(l => l.Count()), "every send of both rows read back");
        CollectionAssert.AreEquivalent(sends.Select(s => s.Item1).ToList(), read.SelectMany(l => l).Select(r => r.Key).ToList());
        var line = LedgerStore.RowKey(sends[0].Item1).Length + 1 + 19 + 1;
        Assert.IsLessThan(AzureLimits.MaxStringChars, 140 * line, $"a line is {line} characters: a row holds {AzureLimits.MaxStringChars / line} sends");

        // Forgetting goes by transactions of at most 100 deletes: 101 stale rows take two.
        var old = Enumerable.Range(0, 101).Select(i => (new SendKey(course, i + 1, SignalKeys.Welcome, new DateOnly(2030, 1, 1), 0), At.AddDays(-30).AddMinutes(i))).ToList();
        foreach (var send in old)
        {
            await store.RecordAsync(course, [send], TestContext.CancellationToken);
        }
        Assert.AreEqual(101, await store.ForgetStaleAsync(course, At, TestContext.CancellationToken));
        Assert.AreEqual(140, (await store.ReadCourseAsync(course, At, TestContext.CancellationToken)).Sum(l => l.Count()), "the current rows stay");
    }

    [TestMethod]
    public async Task A_day_counts_16_rows_of_252_sends_and_the_next_send_s_count_is_logged_lost_without_failing_its_dispatch()
    {
        var logs = new CapturedLogs();
        await using var core = await CoreServices.StartAsync(new FakeTimeProvider(At), null, logs);
        var course = TestIds.Next();
        var learner = TestIds.Next();
        var campaigns = new[] { new Campaign { Id = "hot", Questionnaire = QuestionnaireCatalog.Hot } };
        await core.Get<SnapshotIngest>().UpsertAsync(JsonNode.Parse($$"""
            {"courses":[{"id":{{course}},"fullName":"Plein","startDate":"{{At.AddDays(-30):O}}"}],
             "learners":[{"id":{{learner}},"email":"full{{learner}}@example.org","lang":"fr","timeZone":"Europe/Paris"}],
             "enrolments":[{"id":{{learner}},"courseId":{{course}},"learnerId":{{learner}},"start":{{At.AddDays(-30).ToUnixTimeSeconds()}},
                            "firstAccess":{{At.AddDays(-29).ToUnixTimeSeconds()}},"completedAt":{{At.AddHours(-1).ToUnixTimeSeconds()}}}]}
            """)!.AsObject(), TestContext.CancellationToken);
        await core.Get<CourseSettingsStore>().SaveAsync(course, new CourseSettings { Campaigns = campaigns }, TestContext.CancellationToken);
        var invitation = (await DueAsync(core, course)).Single(k => k.Signal == QuestionnaireSignals.Invitation("hot"));

        // Other learners' invitations of the same day, chosen so that each of the 16 rows gets 252: the day's most.
        var siteZone = core.Get<SignalSettingsProvider>().Platform.SiteZone;
        var key = await core.Get<SigningKeyStore>().GetAsync(TestContext.CancellationToken);
        var perShard = new int[16];
        var fill = new List<SendKey>();
        for (var other = 1L; fill.Count < 16 * AzureLimits.MaxCustomProperties; other++)
        {
            var send = invitation with { LearnerId = invitation.LearnerId + 1_000_000 + other };
            var shard = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(send.ToString()))[0] % 16;
            if (perShard[shard] < AzureLimits.MaxCustomProperties)
            {
                perShard[shard]++;
                fill.Add(send);
            }
        }
        var answers = core.Get<AnswerStore>();
        await Parallel.ForEachAsync(fill, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = TestContext.CancellationToken }, async (send, ct) =>
            await answers.CountSendAsync(send, CampaignTally.For(send, campaigns, [], At, siteZone)!, ct));
        Assert.AreEqual(16 * 252, await InvitedAsync(answers, course), "every one of the day's 4,032 sends counted");

        // A 253rd property in a row is what Azure refuses.
        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => answers.CountSendAsync(invitation, CampaignTally.For(invitation, campaigns, [], At, siteZone)!, TestContext.CancellationToken));
        Assert.AreEqual("TooManyProperties", refused.ErrorCode);

        // The dispatcher sends the mail all the same, and says the count is lost.
        var outcome = await core.Get<NotificationDispatcher>().HandleAsync(
            new NotificationMessage(course, learner, invitation.Signal, invitation.Anchor, invitation.Repeat, At), 1, TestContext.CancellationToken);
        Assert.AreEqual(DispatchOutcome.Sent, outcome);
        Assert.AreEqual(SendState.Sent, (await core.Get<LedgerStore>().ReadRangeAsync(course, learner, learner, TestContext.CancellationToken))[learner].Single(r => r.Key == invitation).State);
        Assert.IsTrue(logs.Lines.Any(l => l.Contains($"lost: reports will miss it", StringComparison.Ordinal) && l.Contains("TooManyProperties", StringComparison.Ordinal)),
            string.Join('\n', logs.Lines.Where(l => l.Contains("Count", StringComparison.Ordinal))));
        Assert.AreEqual(16 * 252, await InvitedAsync(answers, course), "the counts as they were");
    }

    [TestMethod]
    public async Task An_answer_with_the_longest_texts_a_form_carries_is_stored_read_back_and_anonymized()
    {
        await using var core = await CoreServices.StartAsync();
        var answers = core.Get<AnswerStore>();
        var (course, learner) = (TestIds.Next(), TestIds.Next());
        // Two free-text questions answered to their 4,000 characters, accented: 48 KB as a form (under its 64 KiB),
        // 48,000 characters as JSON (each é escaped to six), more than one Table property holds.
        var comment = string.Concat(Enumerable.Repeat("é", AnswerValidation.MaxTextLength));
        var values = new Dictionary<string, IReadOnlyList<string>> { ["liked"] = [comment], ["improve"] = ["Sam " + comment[4..]], ["overall"] = ["5"] };
        await answers.AddAsync(new StoredAnswer(course, "hot", "long-texts", "fr", new(2031, 3, 12), false, learner, values), TestContext.CancellationToken);
        var read = (await answers.OfLearnerAsync(course, learner, TestContext.CancellationToken)).Single();
        Assert.AreEqual(comment, read.Values["liked"].Single());
        Assert.AreEqual("Sam " + comment[4..], read.Values["improve"].Single());

        // Erasure rewrites the row with shorter texts: nothing of the longer one is left behind.
        await answers.AnonymizeAsync(course, learner, text => text.Length > 10 ? text.Replace("Sam ", "", StringComparison.Ordinal)[..10] : text, TestContext.CancellationToken);
        var anonymous = new List<StoredAnswer>();
        await foreach (var page in answers.ListPagesAsync(course, new(2031, 3, 1), new(2031, 3, 31), TestContext.CancellationToken))
        {
            anonymous.AddRange(page);
        }
        Assert.AreEqual((null, "éééééééééé", "5"), (anonymous.Single().LearnerId, anonymous.Single().Values["improve"].Single(), anonymous.Single().Values["overall"].Single()));
        var row = (await core.Get<StorageAccount>().Table(StorageNames.AnswersTable).GetEntityAsync<Azure.Data.Tables.TableEntity>(StorageNames.Key(course), anonymous.Single().RowKey, cancellationToken: TestContext.CancellationToken)).Value;
        Assert.IsFalse(row.Keys.Any(k => k.StartsWith("Values_", StringComparison.Ordinal)), string.Join(", ", row.Keys));
    }

    private async Task<List<SendKey>> DueAsync(CoreServices core, long course)
    {
        var due = new List<SendKey>();
        await foreach (var learner in core.Get<CourseDecisions>().EvaluateAsync((await core.Get<CourseStore>().GetAsync(course, TestContext.CancellationToken))!, At, TestContext.CancellationToken))
        {
            due.AddRange(learner.Decisions.Where(d => d.State == DecisionState.Due && d.Key is not null).Select(d => d.Key!));
        }
        return due;
    }

    private async Task<int> InvitedAsync(AnswerStore answers, long course)
    {
        var invited = 0;
        await foreach (var page in answers.ReadPeriodAsync(course, DateOnly.FromDateTime(At.Date).AddDays(-1), DateOnly.FromDateTime(At.Date).AddDays(1), TestContext.CancellationToken))
        {
            invited += page.Counts.Sum(c => c.Invited);
        }
        return invited;
    }
}
