using CourseNotification.Enrolments;

namespace CourseNotification.Signals;

/// <summary>
/// What every rule derives first from a snapshot, once per evaluation: work start, access end, access,
/// completion, candidacy, and the learner's calendar as of the instant. Public so that rules outside
/// the engine (questionnaire invitations) decide from the same facts.
/// </summary>
public readonly struct LearnerFacts
{
    private readonly (DecisionState State, string Reason)? _ineligibility;

    public LearnerFacts(Course course, EnrolmentSnapshot snapshot, SignalSettings settings, DateTimeOffset at)
    {
        Course = course;
        Snapshot = snapshot;
        Settings = settings;
        At = at;
        Calendar = new LearnerCalendar(TimeZones.Resolve(snapshot.Profile?.TimeZone, settings.SiteZone), settings.Hours, at);

        // One pass over the enrolments: earliest start of the active ones; latest end when all of them end;
        // and the same for enrolments suspended by their own expiry (Moodle's "expiry action: suspend").
        DateTimeOffset? earliestStart = null, latestEnd = null, expiredEnd = null;
        bool anyActive = false, openEnded = false;
        var enrolments = snapshot.Enrolments;
        for (var i = 0; i < enrolments.Count; i++)
        {
            var e = enrolments[i];
            if (e.IsActive)
            {
                anyActive = true;
                if (e.EffectiveStart is { } start && (earliestStart is null || start < earliestStart))
                {
                    earliestStart = start;
                }
                if (e.End is not { } end)
                {
                    openEnded = true;
                }
                else if (latestEnd is null || end > latestEnd)
                {
                    latestEnd = end;
                }
            }
            else if (e.SuspendedByExpiry(at) && (expiredEnd is null || e.End > expiredEnd))
            {
                expiredEnd = e.End;
            }
        }
        ExpiredOnly = !anyActive && expiredEnd is not null;

        WorkStart = earliestStart is null ? null
            : course.StartDate is { } courseStart && courseStart > earliestStart ? courseStart : earliestStart;
        DateTimeOffset? enrolmentEnd = anyActive ? (openEnded ? null : latestEnd) : expiredEnd;
        DateTimeOffset? courseEnd = settings.CourseEndClosesAccess ? course.EndDate : null;
        AccessEnd = enrolmentEnd is null ? courseEnd : courseEnd is null || enrolmentEnd < courseEnd ? enrolmentEnd : courseEnd;

        WorkStartDay = WorkStart is { } ws ? Calendar.LocalDate(ws) : default;
        AccessEndDay = AccessEnd is { } ae ? Calendar.LocalDate(ae) : default;
        CompletedDay = snapshot.CompletedAt is { } done ? Calendar.LocalDate(done) : default;
        _ineligibility = FindIneligibility(course, snapshot, settings, anyActive || ExpiredOnly);
    }

    public Course Course { get; }
    public EnrolmentSnapshot Snapshot { get; }
    public SignalSettings Settings { get; }
    public DateTimeOffset At { get; }
    public LearnerCalendar Calendar { get; }

    /// <summary>max(course start, earliest start of the active enrolments); null without an active enrolment.</summary>
    public DateTimeOffset? WorkStart { get; }
    public DateOnly WorkStartDay { get; }

    /// <summary>The earliest of the enrolment end and (when it closes access) the course end; null: no end.</summary>
    public DateTimeOffset? AccessEnd { get; }
    public DateOnly AccessEndDay { get; }

    /// <summary>No active enrolment, but one suspended because it expired: only <c>closed</c> still concerns them.</summary>
    public bool ExpiredOnly { get; }

    public bool IsCompleted => Snapshot.CompletedAt is not null;
    public DateOnly CompletedDay { get; }

    public bool AccessEnded => AccessEnd <= At;

    /// <summary>Opened the course at least once since work start.</summary>
    public bool HasAccessed => WorkStart is { } start && (Snapshot.LastAccess >= start || Snapshot.FirstAccess >= start);

    /// <summary>
    /// Why this person gets no learner signal (spec "Candidate"), or null when they are a candidate.
    /// <paramref name="expiredCounts"/>: an enrolment suspended by its expiry still counts (for <c>closed</c>).
    /// </summary>
    public (DecisionState State, string Reason)? Ineligibility(bool expiredCounts = false)
    {
        if (_ineligibility is not null || expiredCounts)
        {
            return _ineligibility;
        }
        if (ExpiredOnly)
        {
            return (DecisionState.NotApplicable, Reasons.NoActiveEnrolment);
        }
        return WorkStart is null ? (DecisionState.NotApplicable, Reasons.NoStart) : null;
    }

    private static (DecisionState, string)? FindIneligibility(Course course, EnrolmentSnapshot snapshot, SignalSettings settings, bool hasEnrolment)
    {
        if (!settings.PlatformEnabled)
        {
            return (DecisionState.Disabled, Reasons.PlatformOff);
        }
        if (!settings.CourseEnabled)
        {
            return (DecisionState.Disabled, Reasons.CourseOff);
        }
        if (!course.Visible)
        {
            return (DecisionState.NotApplicable, Reasons.CourseHidden);
        }
        if (snapshot.Profile is null)
        {
            return (DecisionState.NotApplicable, Reasons.LearnerUnknown);
        }
        if (snapshot.Profile.Suspended)
        {
            return (DecisionState.NotApplicable, Reasons.Suspended);
        }
        if (snapshot.Profile.OptedOut)
        {
            return (DecisionState.NotApplicable, Reasons.OptedOut);
        }
        if (!hasEnrolment)
        {
            return (DecisionState.NotApplicable, Reasons.NoActiveEnrolment);
        }
        if (snapshot.Roles is { } roles && !HoldsLearnerRole(roles, settings.LearnerRoles))
        {
            return (DecisionState.NotApplicable, Reasons.NotALearner);
        }
        return null;
    }

    private static bool HoldsLearnerRole(IReadOnlyList<string> roles, IReadOnlySet<string> learnerRoles)
    {
        for (var i = 0; i < roles.Count; i++)
        {
            if (learnerRoles.Contains(roles[i]))
            {
                return true;
            }
        }
        return false;
    }

    public Decision Decide(string signal, DecisionState state, DateOnly? anchor, DateTimeOffset? at, string? reason, int repeat = 0) =>
        new(Course.Id, Snapshot.LearnerId, signal, state, anchor, at, reason) { Repeat = repeat };

    public Decision FromRecord(SendRecord record) => record.State switch
    {
        SendState.Sent => Decide(record.Key.Signal, DecisionState.Sent, record.Key.Anchor, record.At, null, record.Key.Repeat),
        SendState.Failed => Decide(record.Key.Signal, DecisionState.Failed, record.Key.Anchor, record.At, record.Reason, record.Key.Repeat),
        SendState.Queued => Decide(record.Key.Signal, DecisionState.Due, record.Key.Anchor, record.At, Reasons.Queued, record.Key.Repeat) with { InFlight = true },
        _ => Decide(record.Key.Signal, DecisionState.Due, record.Key.Anchor, record.At, Reasons.Claimed, record.Key.Repeat) with { InFlight = true },
    };
}
