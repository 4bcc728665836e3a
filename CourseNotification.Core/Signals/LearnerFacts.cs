using CourseNotification.Enrolments;

namespace CourseNotification.Signals;

/// <summary>What every rule derives first from a snapshot: work start, access, roles, the learner's calendar.</summary>
internal readonly struct LearnerFacts
{
    private LearnerFacts(Course course, EnrolmentSnapshot snapshot, LearnerCalendar calendar, DateTimeOffset? workStart)
    {
        Course = course;
        Snapshot = snapshot;
        Calendar = calendar;
        WorkStart = workStart;
    }

    public Course Course { get; }
    public EnrolmentSnapshot Snapshot { get; }
    public LearnerCalendar Calendar { get; }

    /// <summary>max(course start, earliest start of the active enrolments); null without an active enrolment.</summary>
    public DateTimeOffset? WorkStart { get; }

    /// <summary>Opened the course at least once since work start.</summary>
    public bool HasAccessed => WorkStart is { } start && (Snapshot.LastAccess >= start || Snapshot.FirstAccess >= start);

    public static LearnerFacts Of(Course course, EnrolmentSnapshot snapshot, SignalSettings settings)
    {
        var zone = TimeZones.Resolve(snapshot.Profile?.TimeZone, settings.SiteZone);
        DateTimeOffset? earliest = null;
        foreach (var enrolment in snapshot.Enrolments)
        {
            if (enrolment.Active && enrolment.EffectiveStart is { } start && (earliest is null || start < earliest))
            {
                earliest = start;
            }
        }
        DateTimeOffset? workStart = earliest is null ? null
            : course.StartDate is { } courseStart && courseStart > earliest ? courseStart : earliest;
        return new LearnerFacts(course, snapshot, new LearnerCalendar(zone, settings.Hours), workStart);
    }

    /// <summary>Why this person gets no learner signal at all (spec "Candidate"), or null when they are a candidate.</summary>
    public (DecisionState State, string Reason)? Ineligibility(SignalSettings settings)
    {
        if (!settings.PlatformEnabled)
        {
            return (DecisionState.Disabled, "platform switched off");
        }
        if (!settings.CourseEnabled)
        {
            return (DecisionState.Disabled, "course notifications switched off");
        }
        if (!Course.Visible)
        {
            return (DecisionState.NotApplicable, "course hidden");
        }
        if (Snapshot.Profile is null)
        {
            return (DecisionState.NotApplicable, "learner unknown (no profile received from Moodle yet)");
        }
        if (Snapshot.Profile.Suspended)
        {
            return (DecisionState.NotApplicable, "learner suspended");
        }
        if (!Snapshot.Enrolments.Any(e => e.Active))
        {
            return (DecisionState.NotApplicable, "no active enrolment");
        }
        if (Snapshot.Roles is { } roles && !roles.Any(settings.LearnerRoles.Contains))
        {
            return (DecisionState.NotApplicable, "not a learner");
        }
        if (WorkStart is null)
        {
            return (DecisionState.NotApplicable, "no start date known");
        }
        return null;
    }

    public Decision Decide(string signal, DecisionState state, DateOnly? anchor, DateTimeOffset? at, string? reason, int repeat = 0) =>
        new(Course.Id, Snapshot.LearnerId, signal, state, anchor, at, reason, repeat);

    public Decision FromRecord(SendRecord record) => record.State switch
    {
        SendState.Sent => Decide(record.Key.Signal, DecisionState.Sent, record.Key.Anchor, record.At, null, record.Key.Repeat),
        SendState.Failed => Decide(record.Key.Signal, DecisionState.Failed, record.Key.Anchor, record.At, record.Reason, record.Key.Repeat),
        _ => Decide(record.Key.Signal, DecisionState.Due, record.Key.Anchor, record.At, "being sent (claimed)", record.Key.Repeat) with { InFlight = true },
    };
}
