using CourseNotification.Questionnaires;
using CourseNotification.Signals;
using CourseNotification.Storage;

namespace CourseNotification.Tests.Integration;

/// <summary>The campaigns' daily counts that reports read (kept with the answers), against real Table Storage.</summary>
[TestClass]
[TestCategory("storage")]
public sealed class CampaignCountTests
{
    private static readonly Campaign[] Campaigns = [new() { Id = "hot", Questionnaire = "qualiopi-hot" }, new() { Id = "cold", Questionnaire = "qualiopi-cold" }];
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
    private static readonly DateOnly Anchor = new(2026, 1, 5);

    [TestMethod]
    public async Task Every_send_counts_once_on_its_day_however_often_and_however_many_at_once()
    {
        await using var core = await CoreServices.StartAsync();
        var answers = core.Get<AnswerStore>();
        var course = TestIds.Next();
        var monday = new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.FromHours(1));

        // 300 invitations counted at once (some shards take several), then every one of them counted again (retried messages).
        var invitations = Enumerable.Range(1, 300).Select(l => new SendKey(course, l, QuestionnaireSignals.Invitation("hot"), Anchor, 0)).ToList();
        await Task.WhenAll(invitations.Select(key => answers.CountSendAsync(key, CampaignTally.For(key, Campaigns, [], monday, Paris)!, CancellationToken.None)));
        await Task.WhenAll(invitations.Take(100).Select(key => answers.CountSendAsync(key, CampaignTally.For(key, Campaigns, [], monday, Paris)!, CancellationToken.None)));
        // Two first reminders late in the evening (UTC): the next day in Paris.
        foreach (var learner in new[] { 1L, 2L })
        {
            var key = new SendKey(course, learner, QuestionnaireSignals.Reminder("hot", 1), Anchor, 0);
            await answers.CountSendAsync(key, CampaignTally.For(key, Campaigns, [], new DateTimeOffset(2026, 1, 12, 23, 30, 0, TimeSpan.Zero), Paris)!, CancellationToken.None);
        }
        // Another campaign, and a day outside the period read.
        var cold = new SendKey(course, 1, QuestionnaireSignals.Invitation("cold"), Anchor, 0);
        await answers.CountSendAsync(cold, CampaignTally.For(cold, Campaigns, [], monday, Paris)!, CancellationToken.None);
        var late = new SendKey(course, 301, QuestionnaireSignals.Invitation("hot"), Anchor, 0);
        await answers.CountSendAsync(late, CampaignTally.For(late, Campaigns, [], monday.AddDays(30), Paris)!, CancellationToken.None);

        // An answer of the same days is read with them, apart.
        await answers.AddAsync(new StoredAnswer(course, "hot", "qualiopi-hot", "fr", new(2026, 1, 5), false, null, new Dictionary<string, IReadOnlyList<string>> { ["overall"] = ["5"] }), CancellationToken.None);

        var (read, counts) = (0, new List<CampaignDay>());
        await foreach (var page in answers.ReadPeriodAsync(course, new(2026, 1, 1), new(2026, 1, 31), CancellationToken.None))
        {
            read += page.Answers.Count;
            counts.AddRange(page.Counts);
        }
        var days = counts
            .GroupBy(c => (c.Questionnaire, c.Campaign, c.Day))
            .Select(g => new CampaignDay(g.Key.Questionnaire, g.Key.Campaign, g.Key.Day, g.Sum(c => c.Invited), g.Sum(c => c.Reminded)))
            .OrderBy(d => d.Day).ThenBy(d => d.Campaign).ToList();
        CollectionAssert.AreEqual(
            new[]
            {
                new CampaignDay("qualiopi-cold", "cold", new(2026, 1, 5), 1, 0), new CampaignDay("qualiopi-hot", "hot", new(2026, 1, 5), 300, 0),
                new CampaignDay("qualiopi-hot", "hot", new(2026, 1, 13), 0, 2),
            },
            days);
        Assert.AreEqual(1, read, "the answer comes back as an answer");
        Assert.AreEqual(1, await CountAsync(answers.ListPagesAsync(course, new(2026, 1, 1), new(2026, 2, 28), CancellationToken.None)), "answers alone, counts left out");
    }

    private static async Task<int> CountAsync(IAsyncEnumerable<IReadOnlyList<StoredAnswer>> pages)
    {
        var count = 0;
        await foreach (var page in pages)
        {
            count += page.Count;
        }
        return count;
    }

    [TestMethod]
    public void Only_an_invitation_s_first_reminder_counts_as_reminded()
    {
        var at = new DateTimeOffset(2026, 1, 19, 9, 0, 0, TimeSpan.Zero);
        var second = new SendKey(1, 7, QuestionnaireSignals.Reminder("hot", 2), Anchor, 0);
        var firstSent = new SendRecord(second with { Signal = QuestionnaireSignals.Reminder("hot", 1) }, SendState.Sent, at.AddDays(-7), null);
        var otherCampaign = new SendRecord(second with { Signal = QuestionnaireSignals.Reminder("cold", 1) }, SendState.Sent, at.AddDays(-7), null);
        var superseded = new SendRecord(second with { Signal = QuestionnaireSignals.Reminder("hot", 1) }, SendState.Failed, at.AddDays(-7), "refused");

        Assert.IsNull(CampaignTally.For(second, Campaigns, [firstSent], at, Paris), "a second reminder after a first one adds nothing");
        Assert.AreEqual(new CampaignTally("qualiopi-hot", "hot", new(2026, 1, 19), Reminder: true), CampaignTally.For(second, Campaigns, [otherCampaign], at, Paris));
        Assert.AreEqual(new CampaignTally("qualiopi-hot", "hot", new(2026, 1, 19), Reminder: true), CampaignTally.For(second, Campaigns, [superseded], at, Paris), "the first reminder that went out counts");
        Assert.IsNull(CampaignTally.For(second with { Signal = SignalKeys.Welcome }, Campaigns, [], at, Paris));
        Assert.IsNull(CampaignTally.For(second with { Signal = QuestionnaireSignals.Answered("hot") }, Campaigns, [], at, Paris));
        Assert.IsNull(CampaignTally.For(second with { Signal = QuestionnaireSignals.Invitation("removed") }, Campaigns, [], at, Paris), "a campaign no longer configured");
    }
}
