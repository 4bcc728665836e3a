using CourseNotification.Storage;
using CourseNotification.Tests.Integration;

namespace CourseNotification.Tests.Dispatch;

/// <summary>The provider quota is shared by every instance (state in Table Storage) and never exceeded under a burst.</summary>
[TestClass]
[TestCategory("storage")]
public sealed class PacingTests
{
    [TestMethod]
    public async Task A_burst_of_1000_sends_from_many_workers_gets_exactly_the_quota_of_the_minute_and_the_hour()
    {
        await using var core = await CoreServices.StartAsync();
        var quota = core.Get<QuotaStore>();
        var now = new DateTimeOffset(2033, 1, 1, 9, 30, 15, TimeSpan.Zero).AddDays(TestIds.Next() % 1000);

        var answers = new System.Collections.Concurrent.ConcurrentBag<DateTimeOffset?>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 1000), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (_, ct) =>
            answers.Add(await quota.TryTakeAsync(now, perMinute: 30, perHour: 100, ct)));

        Assert.AreEqual(30, answers.Count(a => a is null), "granted in this minute");
        var minuteEnd = new DateTimeOffset(now.Year, now.Month, now.Day, 9, 31, 0, TimeSpan.Zero);
        Assert.IsTrue(answers.Where(a => a is not null).All(a => a == minuteEnd), "the others wait for the next minute");

        // Later minutes of the same hour: the hour's 100 run out after 70 more.
        var granted = 30;
        for (var minute = 1; minute < 10; minute++)
        {
            for (var i = 0; i < 30; i++)
            {
                if (await quota.TryTakeAsync(now.AddMinutes(minute), 30, 100, CancellationToken.None) is null)
                {
                    granted++;
                }
            }
        }
        Assert.AreEqual(100, granted);
        Assert.AreEqual(new DateTimeOffset(now.Year, now.Month, now.Day, 10, 0, 0, TimeSpan.Zero), await quota.TryTakeAsync(now.AddMinutes(20), 30, 100, CancellationToken.None));
        Assert.IsNull(await quota.TryTakeAsync(now.AddHours(1), 30, 100, CancellationToken.None), "a new hour, a new quota");
    }
}
