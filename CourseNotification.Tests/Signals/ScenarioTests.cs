using CourseNotification.Enrolments;
using CourseNotification.Signals;

namespace CourseNotification.Tests.Signals;

/// <summary>
/// docs/signals.md as scenarios: one learner's weeks played scan by scan (hourly, like the timer), and
/// the mails they would receive, in their local time.
/// </summary>
[TestClass]
[TestCategory("unit")]
public sealed class ScenarioTests
{
    private static readonly TimeSpan Cet = TimeSpan.FromHours(1);
    private static readonly DateTimeOffset Monday = new(2026, 1, 5, 0, 0, 0, Cet);
    private static readonly DateTimeOffset AccessEnd = new(2026, 3, 6, 0, 0, 0, Cet);

    private static readonly SignalSettings Defaults = new()
    {
        SiteZone = TimeZones.FindOrThrow("Europe/Paris"),
        LearnerRoles = new HashSet<string>(["student"]),
    };

    private static Course Course(DateTimeOffset? start = null, DateTimeOffset? end = null) =>
        new() { Id = 12, FullName = "Sécurité au travail", StartDate = start ?? Monday, EndDate = end };

    private static EnrolmentSnapshot Learner(string zone = "Europe/Paris", params Enrolment[] enrolments) => new()
    {
        CourseId = 12,
        LearnerId = 501,
        Enrolments = enrolments.Length > 0 ? enrolments : [Enrolment(Monday, AccessEnd)],
        Roles = ["student"],
        Profile = new LearnerProfile("fr", zone, false),
    };

    private static Enrolment Enrolment(DateTimeOffset? start, DateTimeOffset? end, long id = 1, bool active = true) =>
        new() { Id = id, Start = start, End = end, Active = active };

    private static Timeline Play(Course? course = null, EnrolmentSnapshot? learner = null, SignalSettings? settings = null) =>
        new(course ?? Course(), learner ?? Learner(), settings ?? Defaults);

    /// <summary>A wall-clock time in Paris in 2026, with the offset in force that day.</summary>
    private static DateTimeOffset Paris(int month, int day, int hour = 0, int minute = 0)
    {
        var local = new DateTime(2026, month, day, hour, minute, 0);
        return new DateTimeOffset(local, Defaults.SiteZone.GetUtcOffset(local));
    }

    private static void AssertLog(Timeline timeline, bool anchors, params string[] expected) =>
        CollectionAssert.AreEqual(expected, timeline.Log(anchors).ToArray(), "\nactual:\n" + string.Join("\n", timeline.Log(anchors)));

    [TestMethod]
    public void A_learner_who_never_comes_gets_the_whole_sequence_once_each()
    {
        var timeline = Play().Run(Paris(1, 4), Paris(3, 14));
        AssertLog(timeline, false,
            "2026-01-05 09:00 welcome",
            "2026-01-12 09:00 firstcall",
            "2026-01-20 09:00 secondcall",
            "2026-02-19 09:00 end15",
            "2026-02-27 09:00 end7",
            "2026-03-01 09:00 end5",
            "2026-03-03 09:00 end3",
            "2026-03-05 09:00 end1",
            "2026-03-06 09:00 closed");
        Assert.AreEqual((DecisionState.NotApplicable, Reasons.NeverAccessedCallsCover), State(timeline, Paris(2, 1), SignalKeys.Inactive));
    }

    [TestMethod]
    public void A_learner_who_came_once_on_day_2_then_left_gets_three_inactivity_alerts_and_the_end_reminders()
    {
        var timeline = Play()
            .On(Paris(1, 7, 14), s => s with { FirstAccess = Paris(1, 7, 14), LastAccess = Paris(1, 7, 14) })
            .Run(Paris(1, 4), Paris(3, 14));
        AssertLog(timeline, false,
            "2026-01-05 09:00 welcome",
            "2026-01-21 09:00 inactive",
            "2026-01-28 09:00 inactive#1",
            "2026-02-04 09:00 inactive#2",
            "2026-02-19 09:00 end15",
            "2026-02-27 09:00 end7",
            "2026-03-01 09:00 end5",
            "2026-03-03 09:00 end3",
            "2026-03-05 09:00 end1",
            "2026-03-06 09:00 closed");
        Assert.AreEqual(DecisionState.Sent, timeline.DecisionAt(Paris(2, 12, 10), SignalKeys.Inactive).State, "the third alert closes the spell");
    }

    [TestMethod]
    public void A_new_course_access_starts_a_new_inactivity_spell()
    {
        var timeline = Play()
            .On(Paris(1, 7, 14), s => s with { FirstAccess = Paris(1, 7, 14), LastAccess = Paris(1, 7, 14) })
            .On(Paris(1, 25, 10), s => s with { LastAccess = Paris(1, 25, 10) })
            .Run(Paris(1, 4), Paris(2, 18));
        AssertLog(timeline, true,
            "2026-01-05 09:00 welcome (anchor 2026-01-05)",
            "2026-01-21 09:00 inactive (anchor 2026-01-07)",
            "2026-02-08 09:00 inactive (anchor 2026-01-25)",
            "2026-02-15 09:00 inactive#1 (anchor 2026-01-25)");
    }

    [TestMethod]
    public void A_learner_who_never_comes_with_both_calls_off_gets_inactivity_from_work_start()
    {
        var settings = Defaults.WithSwitch(SignalKeys.FirstCall, false).WithSwitch(SignalKeys.SecondCall, false);
        var timeline = Play(learner: Learner(enrolments: Enrolment(Monday, null)), settings: settings).Run(Paris(1, 4), Paris(2, 10));
        AssertLog(timeline, false,
            "2026-01-05 09:00 welcome",
            "2026-01-19 09:00 inactive",
            "2026-01-26 09:00 inactive#1",
            "2026-02-02 09:00 inactive#2");
    }

    [TestMethod]
    public void One_open_ended_enrolment_among_several_means_no_end_signals()
    {
        var learner = Learner(enrolments: [Enrolment(Monday, AccessEnd, 1), Enrolment(Monday.AddDays(3), null, 2)]);
        var timeline = Play(learner: learner).Run(Paris(1, 4), Paris(3, 14));
        AssertLog(timeline, false, "2026-01-05 09:00 welcome", "2026-01-12 09:00 firstcall", "2026-01-20 09:00 secondcall");
        Assert.AreEqual((DecisionState.NotApplicable, Reasons.NoEndDate), State(timeline, Paris(3, 14), SignalKeys.End1));
    }

    [TestMethod]
    public void When_every_enrolment_ends_the_latest_end_counts_and_the_course_end_can_come_first()
    {
        var learner = Learner(enrolments: [Enrolment(Monday, AccessEnd, 1), Enrolment(Monday, AccessEnd.AddDays(10), 2)]);
        var later = Play(learner: learner).Run(Paris(3, 14), Paris(3, 16, 12));
        AssertLog(later, true,
            "2026-03-14 09:00 end3 (anchor 2026-03-16)",
            "2026-03-15 09:00 end1 (anchor 2026-03-16)",
            "2026-03-16 09:00 closed (anchor 2026-03-16)");

        var courseEndsFirst = Play(course: Course(end: AccessEnd.AddDays(-2)), learner: learner).Run(Paris(3, 3), Paris(3, 4, 12));
        AssertLog(courseEndsFirst, true, "2026-03-03 09:00 end1 (anchor 2026-03-04)", "2026-03-04 09:00 closed (anchor 2026-03-04)");

        var courseEndIgnored = Play(course: Course(end: AccessEnd.AddDays(-2)), learner: learner, settings: Defaults with { CourseEndClosesAccess = false });
        Assert.AreEqual(new DateOnly(2026, 3, 16), courseEndIgnored.DecisionAt(Paris(3, 4, 12), SignalKeys.Closed).Anchor);
    }

    [TestMethod]
    public void Enrolment_dates_extended_after_a_reminder_bring_the_reminders_of_the_new_end()
    {
        var extended = AccessEnd.AddDays(30);
        var timeline = Play()
            .On(Paris(2, 20, 12), s => s.WithEnrolment(Enrolment(Monday, extended)))
            .Run(Paris(2, 18), Paris(4, 6));
        AssertLog(timeline, true,
            "2026-02-19 09:00 end15 (anchor 2026-03-06)",
            "2026-03-21 09:00 end15 (anchor 2026-04-05)",
            "2026-03-29 09:00 end7 (anchor 2026-04-05)",
            "2026-03-31 09:00 end5 (anchor 2026-04-05)",
            "2026-04-02 09:00 end3 (anchor 2026-04-05)",
            "2026-04-04 09:00 end1 (anchor 2026-04-05)",
            "2026-04-05 09:00 closed (anchor 2026-04-05)");
    }

    [TestMethod]
    public void A_learner_suspended_by_the_expiry_of_the_enrolment_still_gets_closed()
    {
        var timeline = Play()
            .On(AccessEnd.AddHours(1), s => s.WithEnrolment(Enrolment(Monday, AccessEnd, active: false) with { SuspendedAt = AccessEnd.AddHours(1) }))
            .Run(Paris(3, 5), Paris(3, 20));
        AssertLog(timeline, false, "2026-03-05 09:00 end1", "2026-03-06 09:00 closed");
        Assert.AreEqual(Reasons.NoActiveEnrolment, timeline.DecisionAt(Paris(3, 7), SignalKeys.Inactive).Reason);
    }

    [TestMethod]
    public void Suspended_without_a_known_time_after_the_end_counts_as_suspended_by_expiry()
    {
        var timeline = Play()
            .On(AccessEnd.AddDays(1), s => s.WithEnrolment(Enrolment(Monday, AccessEnd, active: false)))
            .Run(Paris(3, 7), Paris(3, 8));
        AssertLog(timeline, false, "2026-03-07 09:00 closed");
    }

    [TestMethod]
    public void Suspended_by_hand_before_the_end_is_not_suspended_by_expiry()
    {
        var timeline = Play()
            .On(Paris(3, 2, 10), s => s.WithEnrolment(Enrolment(Monday, AccessEnd, active: false) with { SuspendedAt = Paris(3, 2, 10) }))
            .Run(Paris(3, 1), Paris(3, 10));
        AssertLog(timeline, false, "2026-03-01 09:00 end5");
    }

    [TestMethod]
    public void Completion_arriving_mid_sequence_stops_the_reminders_and_is_congratulated()
    {
        var timeline = Play()
            .On(Paris(1, 7, 14), s => s with { FirstAccess = Paris(1, 7, 14), LastAccess = Paris(1, 7, 14) })
            .On(Paris(2, 12, 14), s => s with { LastAccess = Paris(2, 12, 14) })
            .On(Paris(2, 24, 15, 30), s => s with { CompletedAt = Paris(2, 24, 15, 20) })
            .Run(Paris(1, 4), Paris(3, 14));
        AssertLog(timeline, false,
            "2026-01-05 09:00 welcome",
            "2026-01-21 09:00 inactive",
            "2026-01-28 09:00 inactive#1",
            "2026-02-04 09:00 inactive#2",
            "2026-02-19 09:00 end15",
            "2026-02-24 16:00 completed");
        foreach (var signal in new[] { SignalKeys.End7, SignalKeys.Closed, SignalKeys.Inactive })
        {
            Assert.AreEqual(Reasons.Completed, timeline.DecisionAt(Paris(3, 1, 10), signal).Reason, signal);
        }
    }

    [TestMethod]
    public void A_late_import_three_days_before_the_end_sends_only_the_nearest_reminder()
    {
        var timeline = Play().Run(Paris(3, 3, 11), Paris(3, 10));
        AssertLog(timeline, false, "2026-03-03 11:00 end3", "2026-03-05 09:00 end1", "2026-03-06 09:00 closed");
        var at = Paris(3, 3, 12);
        Assert.AreEqual((DecisionState.Superseded, Reasons.SupersededByNearer), State(timeline, at, SignalKeys.End15));
        Assert.AreEqual((DecisionState.Superseded, Reasons.SupersededByNearer), State(timeline, at, SignalKeys.End7));
        Assert.AreEqual((DecisionState.Superseded, Reasons.SupersededByNearer), State(timeline, at, SignalKeys.End5));
        Assert.AreEqual((DecisionState.Missed, Reasons.MissedWindow), State(timeline, at, SignalKeys.Welcome));
        Assert.AreEqual((DecisionState.Superseded, Reasons.SupersededBySecondCall), State(timeline, at, SignalKeys.FirstCall));
        Assert.AreEqual((DecisionState.Missed, Reasons.MissedWindow), State(timeline, at, SignalKeys.SecondCall));
    }

    [TestMethod]
    public void A_switched_off_end_reminder_lets_the_farther_one_catch_up_until_the_next_enabled_one()
    {
        var settings = Defaults.WithSwitch(SignalKeys.End7, false);
        var timeline = Play(settings: settings).Run(Paris(2, 26, 11), Paris(3, 2));
        AssertLog(timeline, false, "2026-02-26 11:00 end15", "2026-03-01 09:00 end5");
        Assert.AreEqual((DecisionState.Disabled, Reasons.SignalOff), State(timeline, Paris(3, 2), SignalKeys.End7));
    }

    [TestMethod]
    public void An_outage_past_the_catch_up_windows_loses_the_calls_with_their_reasons()
    {
        var timeline = Play().Run(Paris(1, 4), Paris(1, 10)).Run(Paris(1, 28), Paris(2, 1));
        AssertLog(timeline, false, "2026-01-05 09:00 welcome");
        Assert.AreEqual((DecisionState.Superseded, Reasons.SupersededBySecondCall), State(timeline, Paris(2, 1), SignalKeys.FirstCall));
        Assert.AreEqual((DecisionState.Missed, Reasons.MissedWindow), State(timeline, Paris(2, 1), SignalKeys.SecondCall));
    }

    [TestMethod]
    public void An_outage_inside_the_window_catches_up_at_the_first_scan_after_it()
    {
        var timeline = Play().Run(Paris(1, 4), Paris(1, 10)).Run(Paris(1, 13, 14, 30), Paris(1, 14), TimeSpan.FromMinutes(30));
        AssertLog(timeline, false, "2026-01-05 09:00 welcome", "2026-01-13 14:30 firstcall");
    }

    [TestMethod]
    public void Quiet_hours_hold_an_evening_enrolment_until_the_next_morning()
    {
        var created = Paris(1, 7, 20, 30);
        var learner = Learner(enrolments: new Enrolment { Id = 1, Created = created });
        var timeline = Play(learner: learner).Run(Paris(1, 7, 21), Paris(1, 8, 12));
        AssertLog(timeline, false, "2026-01-08 09:00 welcome");
        Assert.AreEqual(new DateOnly(2026, 1, 7), timeline.Sends.Single().Decision.Anchor, "still keyed on its day");
    }

    [TestMethod]
    public void Daylight_saving_weeks_in_Paris_keep_nine_o_clock_local()
    {
        var spring = Play(course: Course(new DateTimeOffset(2026, 3, 23, 0, 0, 0, Cet)),
            learner: Learner(enrolments: Enrolment(new DateTimeOffset(2026, 3, 23, 0, 0, 0, Cet), null)));
        spring.Run(Paris(3, 22), Paris(4, 8));
        AssertLog(spring, false, "2026-03-23 09:00 welcome", "2026-03-30 09:00 firstcall", "2026-04-07 09:00 secondcall");
        Assert.AreEqual(new DateTimeOffset(2026, 3, 23, 8, 0, 0, TimeSpan.Zero), spring.Sends[0].At);
        Assert.AreEqual(new DateTimeOffset(2026, 3, 30, 7, 0, 0, TimeSpan.Zero), spring.Sends[1].At, "summer time: 09:00 is 07:00 UTC");

        var autumnStart = new DateTimeOffset(2026, 10, 19, 0, 0, 0, TimeSpan.FromHours(2));
        var autumn = Play(course: Course(autumnStart), learner: Learner(enrolments: Enrolment(autumnStart, null)));
        autumn.Run(Paris(10, 18), Paris(10, 27));
        AssertLog(autumn, false, "2026-10-19 09:00 welcome", "2026-10-26 09:00 firstcall");
        Assert.AreEqual(new DateTimeOffset(2026, 10, 26, 8, 0, 0, TimeSpan.Zero), autumn.Sends[1].At, "winter time again: 09:00 is 08:00 UTC");
    }

    [TestMethod]
    public void Daylight_saving_in_Montreal_a_week_before_Paris_follows_the_learners_clock()
    {
        var start = new DateTimeOffset(2026, 3, 2, 0, 0, 0, Cet); // 18:00 on Sunday 1 March in Montreal
        var timeline = Play(course: Course(start), learner: Learner("America/Montreal", Enrolment(start, null)));
        timeline.Run(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 18, 0, 0, 0, TimeSpan.Zero));
        AssertLog(timeline, true,
            "2026-03-01 18:00 welcome (anchor 2026-03-01)",
            "2026-03-08 09:00 firstcall (anchor 2026-03-01)",
            "2026-03-16 09:00 secondcall (anchor 2026-03-01)");
        Assert.AreEqual(new DateTimeOffset(2026, 3, 8, 13, 0, 0, TimeSpan.Zero), timeline.Sends[1].At, "EDT from 8 March: 09:00 is 13:00 UTC");
    }

    [TestMethod]
    public void A_learner_in_Noumea_lives_ten_hours_ahead_of_the_site()
    {
        var timeline = Play(learner: Learner("Pacific/Noumea", Enrolment(Monday, null))).Run(new DateTimeOffset(2026, 1, 4, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 1, 13, 0, 0, 0, TimeSpan.Zero));
        AssertLog(timeline, false, "2026-01-05 10:00 welcome", "2026-01-12 09:00 firstcall");
        Assert.AreEqual(new DateTimeOffset(2026, 1, 11, 22, 0, 0, TimeSpan.Zero), timeline.Sends[1].At);
    }

    [TestMethod]
    public void Teachers_opted_out_and_switched_off_courses_receive_nothing()
    {
        var teacher = Play(learner: Learner() with { Roles = ["editingteacher", "teacher"] }).Run(Paris(1, 4), Paris(3, 10), TimeSpan.FromHours(3));
        var optedOut = Play(learner: Learner() with { Profile = new LearnerProfile("fr", "Europe/Paris", false, OptedOut: true) }).Run(Paris(1, 4), Paris(3, 10), TimeSpan.FromHours(3));
        var courseOff = Play(settings: Defaults with { CourseEnabled = false }).Run(Paris(1, 4), Paris(3, 10), TimeSpan.FromHours(3));
        Assert.AreEqual(0, teacher.Sends.Count + optedOut.Sends.Count + courseOff.Sends.Count);
        Assert.AreEqual((DecisionState.NotApplicable, Reasons.NotALearner), State(teacher, Paris(1, 5, 10), SignalKeys.Welcome));
        Assert.AreEqual((DecisionState.NotApplicable, Reasons.OptedOut), State(optedOut, Paris(1, 5, 10), SignalKeys.Welcome));
        Assert.AreEqual((DecisionState.Disabled, Reasons.CourseOff), State(courseOff, Paris(1, 5, 10), SignalKeys.Welcome));
    }

    [TestMethod]
    public void A_student_who_is_also_a_teacher_is_a_learner()
    {
        var both = Play(learner: Learner() with { Roles = ["teacher", "student"] });
        Assert.AreEqual(DecisionState.Due, both.DecisionAt(Paris(1, 5, 10), SignalKeys.Welcome).State);
    }

    [TestMethod]
    public void Every_decision_has_a_state_and_scheduled_ones_say_when()
    {
        var timeline = Play();
        var decisions = SignalEngine.Evaluate(Course(), Learner(), timeline.Ledger, Defaults, Paris(1, 4, 12));
        CollectionAssert.AreEqual(SignalKeys.All.ToArray(), decisions.Select(d => d.Signal).ToArray());
        Assert.IsTrue(decisions.All(d => d.Reason is not null), "every decision has a reason");
        Assert.IsTrue(decisions.Where(d => d.State == DecisionState.Scheduled).All(d => d.At is not null));
        Assert.AreEqual(new DateTimeOffset(2026, 1, 12, 9, 0, 0, Cet), decisions.Single(d => d.Signal == SignalKeys.FirstCall).At);
        Assert.AreEqual(new DateTimeOffset(2026, 2, 19, 9, 0, 0, Cet), decisions.Single(d => d.Signal == SignalKeys.End15).At);
    }

    [TestMethod]
    public void Day_counts_come_from_the_settings()
    {
        var timeline = Play(settings: Defaults with { FirstCallDays = 3, SecondCallDays = 10 }).Run(Paris(1, 4), Paris(1, 20));
        AssertLog(timeline, false, "2026-01-05 09:00 welcome", "2026-01-08 09:00 firstcall", "2026-01-15 09:00 secondcall");
    }

    private static (DecisionState, string?) State(Timeline timeline, DateTimeOffset at, string signal)
    {
        var decision = timeline.DecisionAt(at, signal);
        return (decision.State, decision.Reason);
    }
}
