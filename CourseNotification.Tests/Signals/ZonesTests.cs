using CourseNotification.Signals;

namespace CourseNotification.Tests.Signals;

[TestClass]
[TestCategory("unit")]
public sealed class ZonesTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    [TestMethod]
    public void A_time_in_the_spring_gap_moves_forward_by_the_gap()
    {
        Assert.AreEqual(new DateTimeOffset(2026, 3, 29, 3, 30, 0, TimeSpan.FromHours(2)), Zones.AtLocal(new DateTime(2026, 3, 29, 2, 30, 0), Paris));
        Assert.AreEqual(new DateTimeOffset(2026, 3, 29, 3, 0, 0, TimeSpan.FromHours(2)), Zones.AtLocal(new DateTime(2026, 3, 29, 2, 0, 0), Paris));
    }

    [TestMethod]
    public void A_repeated_autumn_time_takes_its_first_occurrence_and_days_are_local()
    {
        Assert.AreEqual(new DateTimeOffset(2026, 10, 25, 2, 30, 0, TimeSpan.FromHours(2)), Zones.AtLocal(new DateTime(2026, 10, 25, 2, 30, 0), Paris));
        Assert.AreEqual(new DateOnly(2026, 10, 26), Zones.DayOf(new DateTimeOffset(2026, 10, 25, 23, 30, 0, TimeSpan.Zero), Paris));
    }
}
