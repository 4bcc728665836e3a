using CourseNotification.Enrolments;
using CourseNotification.Signals;

namespace CourseNotification.Tests.Signals;

/// <summary>"Send again" in the engine (docs/signals.md): a re-armed send is a send of its own key, due at the next allowed moment, then sent once.</summary>
[TestClass]
[TestCategory("unit")]
public sealed class ResendTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 0, 0, 0, TimeSpan.FromHours(1));
    private static readonly Course Course = new() { Id = 7, FullName = "C", StartDate = Start };
    private static readonly EnrolmentSnapshot Snapshot = new()
    {
        CourseId = 7, LearnerId = 9, Enrolments = [new Enrolment { Id = 1, Start = Start }], Profile = new LearnerProfile("fr", "Europe/Paris", false),
    };
    private static readonly SignalSettings Settings = new() { SiteZone = TimeZones.FindOrThrow("Europe/Paris"), LearnerRoles = new HashSet<string>(["student"]) };
    private static readonly SendKey Welcome = new(7, 9, SignalKeys.Welcome, new DateOnly(2026, 3, 2), 0);
    private static readonly SendRecord Sent = new(Welcome, SendState.Sent, Start.AddHours(9), null);

    private static Decision Decide(DateTimeOffset at, params SendRecord[] history) => SignalEngine.Evaluate(Course, Snapshot, history, Settings, at, SignalKeys.Welcome)!.Value;

    [TestMethod]
    public void A_rearmed_send_is_due_under_a_key_of_its_own_then_sent_once()
    {
        var asked = Start.AddDays(3).AddHours(14);
        var rearmed = new SendRecord(Resends.KeyOf(Welcome, 1), SendState.Rearmed, asked, null) { RearmedBy = "administrator" };
        Assert.AreEqual(DecisionState.Sent, Decide(asked, Sent).State, "sent, before anyone asks");

        var due = Decide(asked.AddMinutes(5), Sent, rearmed);
        Assert.AreEqual((DecisionState.Due, Reasons.AskedAgain, 1000), (due.State, due.Reason, due.Repeat));
        Assert.AreEqual(Resends.KeyOf(Welcome, 1), due.Key);
        Assert.IsFalse(due.InFlight);

        // The scan's queue mark for it: in flight, not queued twice.
        var queued = new SendRecord(due.Key!, SendState.Queued, asked.AddMinutes(5), null);
        Assert.IsTrue(Decide(asked.AddMinutes(6), Sent, rearmed, queued).InFlight);

        var resent = new SendRecord(due.Key!, SendState.Sent, asked.AddMinutes(7), null);
        var after = Decide(asked.AddDays(1), Sent, resent);
        Assert.AreEqual((DecisionState.Sent, Reasons.SentAgain), (after.State, after.Reason));

        // A second request is the second resend's key.
        Assert.AreEqual(2000, Resends.KeyOf(Welcome, 2).Repeat);
    }

    [TestMethod]
    public void A_request_made_in_quiet_hours_waits_for_the_send_hour()
    {
        var night = new DateTimeOffset(2026, 3, 5, 22, 0, 0, TimeSpan.FromHours(1));
        var rearmed = new SendRecord(Resends.KeyOf(Welcome, 1), SendState.Rearmed, night, null);
        var waiting = Decide(night.AddMinutes(1), Sent, rearmed);
        Assert.AreEqual(DecisionState.Scheduled, waiting.State);
        Assert.AreEqual(new DateTimeOffset(2026, 3, 6, 9, 0, 0, TimeSpan.FromHours(1)), waiting.At);
    }
}
