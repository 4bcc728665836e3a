using CourseNotification.Enrolments;

namespace CourseNotification.Tests.Enrolments;

/// <summary>The merge rules every way in shares, on the records themselves: what a late, repeated or partial report may and may not change.</summary>
[TestClass]
[TestCategory("unit")]
public sealed class MergeRuleTests
{
    private static readonly DateTimeOffset T = new(2030, 5, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly EnrolmentSnapshot Empty = new() { CourseId = 1, LearnerId = 2 };

    [TestMethod]
    public void First_access_is_the_earliest_seen_and_last_access_the_latest()
    {
        var seen = Empty.WithAccess(T.AddDays(3), T.AddDays(5)).WithAccess(T.AddDays(1), T.AddDays(4)).WithAccess(null, T.AddDays(2));
        Assert.AreEqual((T.AddDays(1), T.AddDays(5)), (seen.FirstAccess, seen.LastAccess));
    }

    [TestMethod]
    public void A_last_access_alone_is_also_a_first_access_when_none_is_known()
    {
        var seen = Empty.WithAccess(null, T);
        Assert.AreEqual((T, T), (seen.FirstAccess, seen.LastAccess));
    }

    [TestMethod]
    public void The_first_completion_counts()
    {
        Assert.AreEqual(T, Empty.WithCompletion(T.AddDays(2)).WithCompletion(T).WithCompletion(T.AddDays(9)).WithCompletion(null).CompletedAt);
    }

    [TestMethod]
    public void An_opt_out_copied_in_is_never_taken_back_by_an_older_copy()
    {
        var optedOut = Empty.WithProfile(new LearnerProfile("fr", "Europe/Paris", false, OptedOut: true));
        var later = optedOut.WithProfile(new LearnerProfile("en", "America/Montreal", false, OptedOut: false));
        Assert.AreEqual(("en", true), (later.Profile!.Lang, later.Profile.OptedOut), "the other fields follow, the opt-out stays");
        Assert.AreEqual(optedOut.Profile, optedOut.WithProfile(null).Profile, "no profile given keeps the stored one");
    }

    [TestMethod]
    public void A_role_event_older_than_the_last_one_for_that_role_changes_nothing()
    {
        var assigned = Empty.WithRoleEvent("student", assigned: true, T.AddDays(2));
        var late = assigned.WithRoleEvent("student", assigned: false, T.AddDays(1));
        CollectionAssert.AreEqual(new[] { "student" }, late.Roles!.ToArray());
        Assert.AreEqual(0, assigned.WithRoleEvent("student", assigned: false, T.AddDays(3)).Roles!.Count);
    }

    [TestMethod]
    public void An_enrolment_replaces_the_one_with_its_id_and_keeps_the_others()
    {
        var two = Empty.WithEnrolment(new Enrolment { Id = 7, Method = "manual" }).WithEnrolment(new Enrolment { Id = 8, Method = "self" });
        var replaced = two.WithEnrolment(new Enrolment { Id = 7, Method = "cohort", Active = false });
        Assert.AreEqual(2, replaced.Enrolments.Count);
        Assert.AreEqual(("cohort", false), (replaced.Enrolments.Single(e => e.Id == 7).Method, replaced.Enrolments.Single(e => e.Id == 7).Active));
    }

    [TestMethod]
    public void A_learner_patch_changes_the_fields_it_gives_and_keeps_the_others()
    {
        var stored = new Learner { Id = 2, Email = "a@example.org", Lang = "fr", TimeZone = "Europe/Paris", Suspended = true };
        var patched = stored.With(new LearnerPatch(2) { Lang = "en", Suspended = false });
        Assert.AreEqual(stored with { Lang = "en", Suspended = false }, patched);
    }

    [TestMethod]
    public void A_learner_state_older_than_the_stored_one_changes_no_profile_field()
    {
        var stored = new Learner { Id = 2, Lang = "en", StateAt = T.AddMinutes(5) };
        Assert.AreEqual(stored, stored.With(new LearnerPatch(2) { Lang = "fr", StateAt = T }));
        var newer = stored.With(new LearnerPatch(2) { Lang = "fr", StateAt = T.AddMinutes(6) });
        Assert.AreEqual(("fr", T.AddMinutes(6)), (newer.Lang, newer.StateAt));
    }

    [TestMethod]
    public void An_opt_out_is_never_undone_and_a_login_only_moves_forward_even_with_an_older_state()
    {
        var stored = new Learner { Id = 2, OptedOut = true, LastLogin = T, StateAt = T.AddMinutes(5) };
        var late = stored.With(new LearnerPatch(2) { LoggedInAt = T.AddDays(1), StateAt = T });
        Assert.AreEqual((true, T.AddDays(1)), (late.OptedOut, late.LastLogin));
        Assert.AreEqual(T.AddDays(1), late.With(new LearnerPatch(2) { LoggedInAt = T.AddHours(1) }).LastLogin);
        Assert.IsTrue(new Learner { Id = 2 }.With(new LearnerPatch(2) { OptOut = true }).OptedOut);
    }

    [TestMethod]
    public void A_removed_enrolment_is_a_tombstone_that_keeps_its_dates_and_first_removal()
    {
        var enrolled = Empty.WithEnrolment(new Enrolment { Id = 7, Start = T, End = T.AddDays(30) });
        var removed = enrolled.WithEnrolmentRemoved(7, T.AddDays(3)).WithEnrolmentRemoved(7, T.AddDays(5)).Enrolments.Single();
        Assert.AreEqual((false, T, T.AddDays(30), T.AddDays(3), T.AddDays(5)), (removed.Active, removed.Start!.Value, removed.End!.Value, removed.RemovedAt!.Value, removed.EventAt!.Value));
        Assert.IsFalse(Empty.WithEnrolmentRemoved(9, T).Enrolments.Single().IsActive, "one never seen is remembered removed");
    }

    [TestMethod]
    public void A_listed_person_without_a_live_enrolment_gets_the_pulled_one_started_when_first_seen_active()
    {
        var notCurrent = Empty.WithListedEnrolment(active: false, T, T).Enrolments.Single();
        Assert.AreEqual((MoodleSync.PulledEnrolmentId, false, (DateTimeOffset?)null, (DateTimeOffset?)T), (notCurrent.Id, notCurrent.Active, notCurrent.EffectiveStart, notCurrent.SuspendedAt));

        var started = Empty.WithListedEnrolment(false, T, T).WithListedEnrolment(true, T.AddDays(3), T.AddDays(3)).Enrolments.Single();
        Assert.AreEqual((true, (DateTimeOffset?)T.AddDays(3), (DateTimeOffset?)null), (started.Active, started.EffectiveStart, started.SuspendedAt));

        var suspendedLater = Empty.WithListedEnrolment(true, T, T).WithListedEnrolment(false, T.AddDays(3), T.AddDays(3)).WithListedEnrolment(true, T.AddDays(6), T.AddDays(6)).Enrolments.Single();
        Assert.AreEqual((true, (DateTimeOffset?)T), (suspendedLater.Active, suspendedLater.EffectiveStart), "suspended and back: still from the first start, no second welcome");

        var back = Empty.WithListedEnrolment(true, T, T).WithEnrolmentRemoved(MoodleSync.PulledEnrolmentId, T.AddDays(1)).WithListedEnrolment(true, T.AddDays(2), T.AddDays(2)).Enrolments.Single();
        Assert.AreEqual((true, (DateTimeOffset?)null, (DateTimeOffset?)T.AddDays(2)), (back.Active, back.RemovedAt, back.Created), "enrolled again after leaving: a new enrolment");
    }

    [TestMethod]
    public void A_listing_sets_the_status_of_known_enrolments_only_when_none_has_it()
    {
        var two = Empty.WithEnrolment(new Enrolment { Id = 7, Start = T }).WithEnrolment(new Enrolment { Id = 8, Start = T, Active = false });
        Assert.AreSame(two, two.WithListedEnrolment(true, T, T), "one is active: nothing to change");
        var suspended = two.WithListedEnrolment(false, T.AddDays(1), T.AddDays(1));
        Assert.IsTrue(suspended.Enrolments.All(e => !e.Active));
        Assert.AreEqual(T.AddDays(1), suspended.Enrolments.Single(e => e.Id == 7).SuspendedAt);
        Assert.IsTrue(suspended.WithListedEnrolment(true, T.AddDays(2), T.AddDays(2)).Enrolments.All(e => e.IsActive && e.Start == T), "no pulled enrolment beside real ones");
        var future = Empty.WithEnrolment(new Enrolment { Id = 7, Start = T.AddDays(3) });
        Assert.AreSame(future, future.WithListedEnrolment(false, T, T), "not started yet by its own dates: already not current, its start kept for the welcome");
    }

    [TestMethod]
    public void A_listings_roles_replace_the_stored_ones_and_none_keeps_them()
    {
        var teacher = Empty.WithRoles(["editingteacher"]);
        CollectionAssert.AreEqual(new[] { "student" }, teacher.WithRoles(["student"]).Roles!.ToArray());
        Assert.AreSame(teacher.Roles, teacher.WithRoles(null).Roles);
    }
}
