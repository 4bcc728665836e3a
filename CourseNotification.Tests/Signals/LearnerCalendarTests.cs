using CourseNotification.Signals;

namespace CourseNotification.Tests.Signals;

[TestClass]
[TestCategory("unit")]
public sealed class LearnerCalendarTests
{
    private static readonly SendHours Hours = new(SendHour: 9, QuietStart: 20, QuietEnd: 8);
    private static readonly TimeZoneInfo ParisZone = TimeZones.FindOrThrow("Europe/Paris");
    private static readonly LearnerCalendar Paris = Calendar(DateTimeOffset.UnixEpoch);
    private static readonly DateOnly Monday = new(2026, 1, 5);

    private static LearnerCalendar Calendar(DateTimeOffset now) => new(ParisZone, Hours, now);

    [TestMethod]
    public void Not_before_an_instant_later_in_the_day()
    {
        var opens = new DateTimeOffset(2026, 1, 5, 18, 0, 0, TimeSpan.FromHours(1));
        Assert.AreEqual(new Slot(SlotKind.Scheduled, opens), Calendar(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.FromHours(1))).Slot(Monday, Monday.AddDays(7), opens));
        var lateOpening = new DateTimeOffset(2026, 1, 5, 22, 0, 0, TimeSpan.FromHours(1));
        Assert.AreEqual(
            new Slot(SlotKind.Scheduled, new DateTimeOffset(2026, 1, 6, 9, 0, 0, TimeSpan.FromHours(1))),
            Calendar(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.FromHours(1))).Slot(Monday, Monday.AddDays(7), lateOpening),
            "opening inside quiet hours waits for the next morning");
        Assert.AreEqual(SlotKind.Missed, Calendar(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.FromHours(1))).Slot(Monday, Monday, lateOpening).Kind);
    }

    [TestMethod]
    public void Local_date_is_the_learners_not_utc()
    {
        var noumea = new LearnerCalendar(TimeZones.FindOrThrow("Pacific/Noumea"), Hours, DateTimeOffset.UnixEpoch);
        var instant = new DateTimeOffset(2026, 1, 4, 14, 0, 0, TimeSpan.Zero); // 01:00 on the 5th in Nouméa (UTC+11)
        Assert.AreEqual(new DateOnly(2026, 1, 5), noumea.LocalDate(instant));
        Assert.AreEqual(new DateOnly(2026, 1, 4), Paris.LocalDate(instant));
    }

    [TestMethod]
    public void Before_the_day_it_is_scheduled_for_the_send_hour()
    {
        var slot = Calendar(new DateTimeOffset(2026, 1, 4, 12, 0, 0, TimeSpan.FromHours(1))).Slot(Monday, Monday.AddDays(7));
        Assert.AreEqual(SlotKind.Scheduled, slot.Kind);
        Assert.AreEqual(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.FromHours(1)), slot.At);
    }

    [TestMethod]
    public void Before_the_send_hour_on_the_day_it_waits()
    {
        var slot = Calendar(new DateTimeOffset(2026, 1, 5, 8, 59, 0, TimeSpan.FromHours(1))).Slot(Monday, Monday.AddDays(7));
        Assert.AreEqual(new Slot(SlotKind.Scheduled, new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.FromHours(1))), slot);
    }

    [TestMethod]
    public void At_or_after_the_send_hour_it_is_due()
    {
        var at = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.FromHours(1));
        Assert.AreEqual(new Slot(SlotKind.Due, at), Calendar(at).Slot(Monday, Monday.AddDays(7)));
    }

    [TestMethod]
    public void Quiet_hours_push_it_to_the_next_morning()
    {
        var slot = Calendar(new DateTimeOffset(2026, 1, 5, 20, 30, 0, TimeSpan.FromHours(1))).Slot(Monday, Monday.AddDays(7));
        Assert.AreEqual(new Slot(SlotKind.Scheduled, new DateTimeOffset(2026, 1, 6, 9, 0, 0, TimeSpan.FromHours(1))), slot);
    }

    [TestMethod]
    public void Quiet_hours_on_the_last_catch_up_day_mean_missed()
    {
        var slot = Calendar(new DateTimeOffset(2026, 1, 12, 21, 0, 0, TimeSpan.FromHours(1))).Slot(Monday, Monday.AddDays(7));
        Assert.AreEqual(SlotKind.Missed, slot.Kind);
    }

    [TestMethod]
    public void After_the_catch_up_window_it_is_missed()
    {
        Assert.AreEqual(SlotKind.Missed, Calendar(new DateTimeOffset(2026, 1, 13, 10, 0, 0, TimeSpan.FromHours(1))).Slot(Monday, Monday.AddDays(7)).Kind);
        Assert.AreEqual(SlotKind.Due, Calendar(new DateTimeOffset(2026, 1, 12, 10, 0, 0, TimeSpan.FromHours(1))).Slot(Monday, Monday.AddDays(7)).Kind);
    }

    [TestMethod]
    public void The_send_hour_keeps_its_wall_clock_across_daylight_saving()
    {
        // Europe/Paris springs forward on 29 March 2026 and falls back on 25 October 2026.
        Assert.AreEqual(TimeSpan.FromHours(1), Paris.At(new DateOnly(2026, 3, 28), 9).Offset);
        Assert.AreEqual(TimeSpan.FromHours(2), Paris.At(new DateOnly(2026, 3, 30), 9).Offset);
        Assert.AreEqual(new DateTimeOffset(2026, 10, 26, 8, 0, 0, TimeSpan.Zero), Paris.At(new DateOnly(2026, 10, 26), 9).ToUniversalTime());
    }

    [TestMethod]
    public void A_skipped_hour_moves_forward_and_a_repeated_hour_takes_its_first_occurrence()
    {
        var skipped = Paris.At(new DateOnly(2026, 3, 29), 2); // 02:00 does not exist that night
        Assert.AreEqual(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), skipped.ToUniversalTime());
        var repeated = Paris.At(new DateOnly(2026, 10, 25), 2); // 02:00 happens twice: first at +02:00
        Assert.AreEqual(new DateTimeOffset(2026, 10, 25, 0, 0, 0, TimeSpan.Zero), repeated.ToUniversalTime());
    }

    [TestMethod]
    public void Quiet_hours_may_span_midnight_or_not()
    {
        var overnight = new SendHours(9, 20, 8);
        Assert.IsTrue(overnight.IsQuiet(23));
        Assert.IsTrue(overnight.IsQuiet(7));
        Assert.IsFalse(overnight.IsQuiet(8));
        var afternoon = new SendHours(9, 13, 14);
        Assert.IsTrue(afternoon.IsQuiet(13));
        Assert.IsFalse(afternoon.IsQuiet(14));
        Assert.IsFalse(new SendHours(9, 0, 0).IsQuiet(3));
    }

    [TestMethod]
    public void Moodle_99_empty_and_unknown_zones_fall_back_to_the_site_zone()
    {
        var site = TimeZones.FindOrThrow("Europe/Paris");
        Assert.AreSame(site, TimeZones.Resolve("99", site));
        Assert.AreSame(site, TimeZones.Resolve("", site));
        Assert.AreSame(site, TimeZones.Resolve("Mars/Olympus_Mons", site));
        Assert.AreEqual("America/Montreal", TimeZones.Resolve("America/Montreal", site).Id);
    }
}
