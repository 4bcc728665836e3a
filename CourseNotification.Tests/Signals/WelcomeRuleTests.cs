using CourseNotification.Enrolments;
using CourseNotification.Signals;

namespace CourseNotification.Tests.Signals;

/// <summary>docs/signals.md, <c>welcome</c>: on the work-start day, not accessed yet, 7 days of catch-up.</summary>
[TestClass]
[TestCategory("unit")]
public sealed class WelcomeRuleTests
{
    private static readonly TimeSpan Paris = TimeSpan.FromHours(1);
    private static readonly DateTimeOffset CourseStart = new(2026, 1, 5, 0, 0, 0, Paris);
    private static readonly DateTimeOffset MondayNine = new(2026, 1, 5, 9, 0, 0, Paris);

    private static readonly SignalSettings Settings = new()
    {
        SiteZone = TimeZones.FindOrThrow("Europe/Paris"),
        LearnerRoles = new HashSet<string>(["student"]),
    };

    private static readonly Course Course = new() { Id = 12, FullName = "Sécurité au travail", StartDate = CourseStart };

    private static EnrolmentSnapshot Learner(params Enrolment[] enrolments) => new()
    {
        CourseId = 12,
        LearnerId = 501,
        Enrolments = enrolments,
        Roles = ["student"],
        Profile = new LearnerProfile("fr", "Europe/Paris", false),
    };

    private static Enrolment Active(DateTimeOffset? start = null, long id = 1) => new() { Id = id, Start = start };

    private static Decision Welcome(EnrolmentSnapshot snapshot, DateTimeOffset at, SignalSettings? settings = null, IReadOnlyList<SendRecord>? history = null, Course? course = null) =>
        SignalEngine.Evaluate(course ?? Course, snapshot, history ?? [], settings ?? Settings, at, SignalKeys.Welcome)!.Value;

    [TestMethod]
    public void Due_on_the_work_start_day_at_the_send_hour()
    {
        var decision = Welcome(Learner(Active(CourseStart)), MondayNine);
        Assert.AreEqual(DecisionState.Due, decision.State);
        Assert.AreEqual(new DateOnly(2026, 1, 5), decision.Anchor);
        Assert.AreEqual(new SendKey(12, 501, "welcome", new DateOnly(2026, 1, 5), 0), decision.Key);
    }

    [TestMethod]
    public void Work_start_is_the_later_of_course_start_and_earliest_active_enrolment()
    {
        var lateEnrolment = Learner(Active(CourseStart.AddDays(3), 1), Active(CourseStart.AddDays(10), 2));
        Assert.AreEqual(new DateOnly(2026, 1, 8), Welcome(lateEnrolment, MondayNine).Anchor);

        var earlyEnrolment = Learner(Active(CourseStart.AddDays(-20)));
        Assert.AreEqual(new DateOnly(2026, 1, 5), Welcome(earlyEnrolment, MondayNine).Anchor);

        var suspendedEarlier = Learner(Active(CourseStart.AddDays(4), 1), new Enrolment { Id = 2, Start = CourseStart, Active = false });
        Assert.AreEqual(new DateOnly(2026, 1, 9), Welcome(suspendedEarlier, MondayNine).Anchor);
    }

    [TestMethod]
    public void Who_completed_before_any_welcome_is_never_welcomed()
    {
        var completed = Learner(Active(CourseStart)) with { CompletedAt = CourseStart.AddHours(-2) };
        var decision = Welcome(completed, MondayNine);
        Assert.AreEqual((DecisionState.NotApplicable, Reasons.Completed), (decision.State, decision.Reason));
    }

    [TestMethod]
    public void An_enrolment_created_in_the_evening_is_welcomed_the_next_morning()
    {
        var created = new DateTimeOffset(2026, 1, 6, 21, 30, 0, Paris);
        var decision = Welcome(Learner(new Enrolment { Id = 1, Created = created }), created.AddMinutes(10));
        Assert.AreEqual((DecisionState.Scheduled, new DateOnly(2026, 1, 6)), (decision.State, decision.Anchor));
        Assert.AreEqual(new DateTimeOffset(2026, 1, 7, 9, 0, 0, Paris), decision.At);
    }

    [TestMethod]
    public void An_enrolment_without_start_starts_when_it_was_created()
    {
        var created = new DateTimeOffset(2026, 1, 6, 15, 0, 0, Paris);
        var decision = Welcome(Learner(new Enrolment { Id = 1, Created = created }), created.AddHours(1));
        Assert.AreEqual(new DateOnly(2026, 1, 6), decision.Anchor);
        Assert.AreEqual(DecisionState.Due, decision.State);
    }

    [TestMethod]
    public void Scheduled_before_its_day_with_the_instant_it_will_go()
    {
        var decision = Welcome(Learner(Active(CourseStart)), CourseStart.AddDays(-2));
        Assert.AreEqual(DecisionState.Scheduled, decision.State);
        Assert.AreEqual(MondayNine, decision.At);
    }

    [TestMethod]
    public void A_learner_who_already_came_gets_no_welcome_unless_the_setting_says_so()
    {
        var came = Learner(Active(CourseStart)) with { FirstAccess = CourseStart.AddHours(8), LastAccess = CourseStart.AddHours(8) };
        var decision = Welcome(came, MondayNine);
        Assert.AreEqual(DecisionState.NotApplicable, decision.State);
        Assert.AreEqual("already accessed the course", decision.Reason);
        Assert.AreEqual(DecisionState.Due, Welcome(came, MondayNine, Settings with { WelcomeEvenIfAccessed = true }).State);
    }

    [TestMethod]
    public void A_learner_who_completed_gets_no_welcome_and_no_call_even_when_the_completion_came_first()
    {
        // Completed before the first scan saw the learner (an activity completion before the course opened, a late
        // CSV import carrying the completion, a teacher marking it): nothing was sent yet, and nothing goes.
        var completedEarly = Learner(Active(CourseStart)) with { CompletedAt = CourseStart.AddDays(-3) };
        var completedWithoutComing = Learner(Active(CourseStart)) with { CompletedAt = MondayNine.AddDays(2) };
        foreach (var (snapshot, at) in new[] { (completedEarly, MondayNine), (completedWithoutComing, MondayNine.AddDays(3)) })
        {
            foreach (var settings in new[] { Settings, Settings with { WelcomeEvenIfAccessed = true } })
            {
                var welcome = Welcome(snapshot, at, settings);
                Assert.AreEqual((DecisionState.NotApplicable, Reasons.Completed), (welcome.State, welcome.Reason), $"welcome at {at}");
            }
            foreach (var call in new[] { SignalKeys.FirstCall, SignalKeys.SecondCall })
            {
                foreach (var day in new[] { 7, 15, 20 })
                {
                    var decision = SignalEngine.Evaluate(Course, snapshot, [], Settings, MondayNine.AddDays(day), call)!.Value;
                    Assert.AreEqual((DecisionState.NotApplicable, Reasons.Completed), (decision.State, decision.Reason), $"{call} on day {day}");
                }
            }
        }
    }

    [TestMethod]
    public void An_access_before_work_start_does_not_count()
    {
        var cameLastYear = Learner(Active(CourseStart)) with { FirstAccess = CourseStart.AddYears(-1), LastAccess = CourseStart.AddYears(-1) };
        Assert.AreEqual(DecisionState.Due, Welcome(cameLastYear, MondayNine).State);
    }

    [TestMethod]
    public void Catch_up_lasts_seven_days_then_it_is_missed()
    {
        Assert.AreEqual(DecisionState.Due, Welcome(Learner(Active(CourseStart)), MondayNine.AddDays(7)).State);
        var late = Welcome(Learner(Active(CourseStart)), MondayNine.AddDays(8));
        Assert.AreEqual(DecisionState.Missed, late.State);
        Assert.AreEqual(Reasons.MissedWindow, late.Reason);
    }

    [TestMethod]
    public void Sent_and_failed_come_from_the_ledger_and_claimed_is_in_flight()
    {
        var key = new SendKey(12, 501, "welcome", new DateOnly(2026, 1, 5), 0);
        var sentAt = MondayNine.AddMinutes(2);
        Assert.AreEqual(DecisionState.Sent, Welcome(Learner(Active(CourseStart)), MondayNine.AddHours(1), history: [new SendRecord(key, SendState.Sent, sentAt, null)]).State);
        var failed = Welcome(Learner(Active(CourseStart)), MondayNine.AddHours(1), history: [new SendRecord(key, SendState.Failed, sentAt, "mailbox full")]);
        Assert.AreEqual((DecisionState.Failed, "mailbox full"), (failed.State, failed.Reason));
        var claimed = Welcome(Learner(Active(CourseStart)), MondayNine.AddHours(1), history: [new SendRecord(key, SendState.Claimed, sentAt, null)]);
        Assert.IsTrue(claimed is { State: DecisionState.Due, InFlight: true });
    }

    [TestMethod]
    public void A_send_for_another_anchor_does_not_count_as_this_one()
    {
        var oldKey = new SendKey(12, 501, "welcome", new DateOnly(2025, 9, 1), 0);
        var decision = Welcome(Learner(Active(CourseStart)), MondayNine, history: [new SendRecord(oldKey, SendState.Sent, MondayNine.AddYears(-1), null)]);
        Assert.AreEqual(DecisionState.Due, decision.State);
    }

    [TestMethod]
    [DataRow("platform")]
    [DataRow("course")]
    [DataRow("signal")]
    public void Every_switch_counts(string which)
    {
        var settings = which switch
        {
            "platform" => Settings with { PlatformEnabled = false },
            "course" => Settings with { CourseEnabled = false },
            _ => Settings.WithSwitch(SignalKeys.Welcome, false),
        };
        Assert.AreEqual(DecisionState.Disabled, Welcome(Learner(Active(CourseStart)), MondayNine, settings).State);
    }

    [TestMethod]
    public void Only_candidates_receive_it()
    {
        var active = Learner(Active(CourseStart));
        Assert.AreEqual("not a learner", Welcome(active with { Roles = ["editingteacher"] }, MondayNine).Reason);
        Assert.AreEqual("learner suspended", Welcome(active with { Profile = new LearnerProfile("fr", "", true) }, MondayNine).Reason);
        Assert.AreEqual("no active enrolment", Welcome(Learner(new Enrolment { Id = 1, Start = CourseStart, Active = false }), MondayNine).Reason);
        Assert.AreEqual("course hidden", Welcome(active, MondayNine, course: Course with { Visible = false }).Reason);
        Assert.AreEqual(DecisionState.NotApplicable, Welcome(active with { Profile = null }, MondayNine).State);
    }

    [TestMethod]
    public void Roles_never_reported_count_as_a_learner_enrolment()
    {
        Assert.AreEqual(DecisionState.Due, Welcome(Learner(Active(CourseStart)) with { Roles = null }, MondayNine).State);
    }

    [TestMethod]
    public void The_learners_time_zone_decides_the_day_and_hour()
    {
        // The course opens at midnight in Paris: 18:00 on Sunday 4 January in Montreal, his work-start day.
        var montreal = Learner(Active(CourseStart)) with { Profile = new LearnerProfile("en", "America/Montreal", false) };
        var sundayMorning = Welcome(montreal, new DateTimeOffset(2026, 1, 4, 10, 0, 0, TimeSpan.FromHours(-5)));
        Assert.AreEqual(new DateOnly(2026, 1, 4), sundayMorning.Anchor);
        Assert.AreEqual(DecisionState.Scheduled, sundayMorning.State, "not before the course opens");
        Assert.AreEqual(CourseStart, sundayMorning.At);

        // 09:05 in Paris is 03:05 in Montreal: quiet hours there, so it waits for 09:00 Montreal time.
        var decision = Welcome(montreal, MondayNine.AddMinutes(5));
        Assert.AreEqual(DecisionState.Scheduled, decision.State);
        Assert.AreEqual(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.FromHours(-5)), decision.At);
    }
}
