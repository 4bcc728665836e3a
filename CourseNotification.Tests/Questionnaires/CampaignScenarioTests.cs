using CourseNotification.Enrolments;
using CourseNotification.Questionnaires;
using CourseNotification.Signals;
using CourseNotification.Tests.Signals;

namespace CourseNotification.Tests.Questionnaires;

/// <summary>
/// Questionnaire campaigns as signals (docs/questionnaires.md), played scan by scan like the built-in
/// signals: the invitation after the trigger and its delay, reminders counted from the day the
/// invitation went out, nothing more once answered, nearest reminder only after an outage.
/// </summary>
[TestClass]
[TestCategory("unit")]
public sealed class CampaignScenarioTests
{
    private static readonly TimeSpan Cet = TimeSpan.FromHours(1);
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 0, 0, 0, Cet);
    private static readonly DateTimeOffset End = new(2026, 3, 6, 0, 0, 0, Cet);
    private static readonly Course Course = new() { Id = 12, FullName = "Sécurité au travail", StartDate = Start };

    private static SignalSettings Settings(params Campaign[] campaigns) => new()
    {
        SiteZone = TimeZones.FindOrThrow("Europe/Paris"),
        LearnerRoles = new HashSet<string>(["student"]),
        // Only the campaigns speak in these scenarios.
        Switches = [.. SignalKeys.All.Select(_ => false)],
        Campaigns = campaigns,
    };

    private static readonly Campaign Hot = new() { Id = "hot", Questionnaire = QuestionnaireCatalog.Hot };
    private static readonly Campaign Cold = new() { Id = "cold", Questionnaire = QuestionnaireCatalog.Cold, Trigger = CampaignTrigger.AccessEnd, DelayDays = 60, ReminderDays = [10] };

    private static EnrolmentSnapshot Learner(DateTimeOffset? completedAt = null) => new()
    {
        CourseId = 12,
        LearnerId = 501,
        Enrolments = [new Enrolment { Id = 1, Start = Start, End = End }],
        FirstAccess = Start.AddDays(1),
        LastAccess = Start.AddDays(20),
        CompletedAt = completedAt,
        Roles = ["student"],
        Profile = new LearnerProfile("fr", "Europe/Paris", false),
    };

    private static void AssertLog(Timeline timeline, params string[] expected) =>
        CollectionAssert.AreEqual(expected, timeline.Log().ToArray(), "\nactual:\n" + string.Join("\n", timeline.Log()));

    [TestMethod]
    public void A_learner_who_never_answers_is_invited_on_completion_day_then_reminded_after_7_and_14_days()
    {
        var timeline = new Timeline(Course, Learner(Start.AddDays(24).AddHours(15)), Settings(Hot)).Run(Start, End.AddDays(30));
        AssertLog(timeline,
            "2026-01-29 15:00 questionnaire:hot",
            "2026-02-05 09:00 questionnaire:hot:reminder1",
            "2026-02-12 09:00 questionnaire:hot:reminder2");
    }

    [TestMethod]
    public void Answering_stops_the_reminders()
    {
        var invited = Start.AddDays(24).AddHours(15);
        var timeline = new Timeline(Course, Learner(invited), Settings(Hot)).Run(Start, invited.AddDays(3));
        var answered = new SendKey(12, 501, QuestionnaireSignals.Answered("hot"), DateOnly.FromDateTime(invited.DateTime), 0);
        timeline.Record(new SendRecord(answered, SendState.Sent, invited.AddDays(3), null)).Run(invited.AddDays(3), End.AddDays(30));
        AssertLog(timeline, "2026-01-29 15:00 questionnaire:hot");
        var reminder = timeline.DecisionAt(invited.AddDays(8), QuestionnaireSignals.Reminder("hot", 1));
        Assert.AreEqual((DecisionState.NotApplicable, Reasons.Answered), (reminder.State, reminder.Reason));
    }

    [TestMethod]
    public void The_cold_evaluation_goes_out_60_days_after_the_access_end_even_without_completion()
    {
        // Scans every 6 hours from midnight in winter: 01:00, 07:00, 13:00 in summer time, so the first after 09:00 is 13:00.
        var timeline = new Timeline(Course, Learner(), Settings(Cold)).Run(Start, End.AddDays(90), TimeSpan.FromHours(6));
        AssertLog(timeline,
            "2026-05-05 13:00 questionnaire:cold",
            "2026-05-15 13:00 questionnaire:cold:reminder1");
    }

    [TestMethod]
    public void After_an_outage_only_the_nearest_reminder_goes_out_and_the_earlier_one_is_superseded()
    {
        var invited = Start.AddDays(24).AddHours(15);
        var timeline = new Timeline(Course, Learner(invited), Settings(Hot)).Run(invited, invited.AddHours(1));
        // Nothing scans for 16 days, then the hourly scans resume.
        timeline.Run(invited.AddDays(16), invited.AddDays(40));
        AssertLog(timeline,
            "2026-01-29 15:00 questionnaire:hot",
            "2026-02-14 15:00 questionnaire:hot:reminder2");
        var first = timeline.DecisionAt(invited.AddDays(20), QuestionnaireSignals.Reminder("hot", 1));
        Assert.AreEqual((DecisionState.Superseded, Reasons.SupersededByLaterReminder), (first.State, first.Reason));
    }

    [TestMethod]
    public void A_reminder_waits_for_the_invitation_and_a_switched_off_campaign_sends_nothing()
    {
        var notCompleted = new Timeline(Course, Learner(), Settings(Hot));
        var reminder = notCompleted.DecisionAt(Start.AddDays(30), QuestionnaireSignals.Reminder("hot", 1));
        Assert.AreEqual((DecisionState.NotApplicable, Reasons.InvitationNotSent), (reminder.State, reminder.Reason));
        Assert.AreEqual(Reasons.NotCompleted, notCompleted.DecisionAt(Start.AddDays(30), QuestionnaireSignals.Invitation("hot")).Reason);

        var off = new Timeline(Course, Learner(Start.AddDays(24)), Settings(Hot with { Enabled = false })).Run(Start, End);
        AssertLog(off);
        Assert.AreEqual(DecisionState.Disabled, off.DecisionAt(Start.AddDays(25), QuestionnaireSignals.Invitation("hot")).State);
    }

    private static readonly Campaign Exam = new() { Id = "exam", Questionnaire = QuestionnaireCatalog.Cold, Trigger = CampaignTrigger.ActivityCompleted, ActivityId = 42, DelayDays = 1, ReminderDays = [7] };

    [TestMethod]
    public void An_activity_campaign_invites_the_day_after_the_activity_s_first_completion_at_the_send_hour_in_the_learner_s_zone()
    {
        // The learner lives in Montreal (the site in Paris): completes activity 43, then the exam (42) at
        // 22:30 their time (04:30 the next morning in Paris), and again a week later (a retake).
        var montreal = Learner() with { Profile = new LearnerProfile("en", "America/Montreal", false) };
        var completed = new DateTimeOffset(2026, 1, 20, 22, 30, 0, TimeSpan.FromHours(-5));
        var timeline = new Timeline(Course, montreal, Settings(Exam))
            .On(completed.AddDays(-3), s => s.WithActivityCompletion(43, completed.AddDays(-3)))
            .On(completed, s => s.WithActivityCompletion(42, completed))
            .On(completed.AddDays(7), s => s.WithActivityCompletion(42, completed.AddDays(7)))
            .Run(Start, End.AddDays(30));
        AssertLog(timeline,
            "2026-01-21 09:00 questionnaire:exam",
            "2026-01-28 09:00 questionnaire:exam:reminder1");
        Assert.AreEqual(new DateOnly(2026, 1, 20), timeline.Sends[0].Decision.Anchor, "the anchor is the completion's local day, the retake changes nothing");
    }

    [TestMethod]
    public void An_activity_campaign_waits_for_its_own_activity_and_says_so()
    {
        var other = new Timeline(Course, Learner(Start.AddDays(24)).WithActivityCompletion(43, Start.AddDays(10)), Settings(Exam)).Run(Start, End);
        AssertLog(other);
        Assert.AreEqual((DecisionState.NotApplicable, Reasons.ActivityNotCompleted), (other.DecisionAt(Start.AddDays(30), "questionnaire:exam").State, other.DecisionAt(Start.AddDays(30), "questionnaire:exam").Reason));
    }

    [TestMethod]
    public void The_first_activity_completion_counts_whatever_order_they_arrive_in()
    {
        var first = Start.AddDays(3);
        var snapshot = Learner().WithActivityCompletion(42, first.AddDays(2)).WithActivityCompletion(42, first).WithActivityCompletion(42, first.AddDays(5));
        Assert.AreEqual(first, snapshot.ActivityCompletedAt(42));
        Assert.IsNull(snapshot.ActivityCompletedAt(43));
        var full = Enumerable.Range(1, EnrolmentSnapshot.MaxActivityCompletions).Aggregate(Learner(), (s, id) => s.WithActivityCompletion(id, first));
        Assert.IsNull(full.WithActivityCompletion(1_000_000, first).ActivityCompletedAt(1_000_000), "bounded");
        Assert.AreEqual(first.AddDays(-1), full.WithActivityCompletion(7, first.AddDays(-1)).ActivityCompletedAt(7), "an earlier completion of a known one still counts");
    }

    [TestMethod]
    public void An_activity_campaign_names_its_activity()
    {
        bool Any(string _) => true;
        Assert.AreEqual("activity 42", Exam.ActivityLabel);
        Assert.IsNull(Hot.ActivityLabel);
        Assert.AreEqual(0, Exam.Problems("campaigns[0]", Any).Count());
        CollectionAssert.AreEqual(new[] { "campaigns[0].activityId" }, (Exam with { ActivityId = null }).Problems("campaigns[0]", Any).Select(p => p.Field).ToArray());
        CollectionAssert.AreEqual(new[] { "campaigns[1].activityId" }, (Hot with { ActivityId = 5 }).Problems("campaigns[1]", Any).Select(p => p.Field).ToArray());
    }

    [TestMethod]
    public void Campaign_signals_are_named_and_parsed_back()
    {
        Assert.AreEqual(("hot", 0), QuestionnaireSignals.Parse("questionnaire:hot"));
        Assert.AreEqual(("cold-2", 2), QuestionnaireSignals.Parse("questionnaire:cold-2:reminder2"));
        Assert.IsNull(QuestionnaireSignals.Parse("questionnaire:hot:answered"));
        Assert.IsNull(QuestionnaireSignals.Parse("questionnaire:hot:reminder0"));
        Assert.IsNull(QuestionnaireSignals.Parse("welcome"));
        CollectionAssert.AreEqual(new[] { "questionnaire:hot", "questionnaire:hot:reminder1", "questionnaire:hot:reminder2" }, Hot.Signals.ToArray());
    }
}
