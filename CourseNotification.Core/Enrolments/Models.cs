namespace CourseNotification.Enrolments;

/// <summary>A Moodle course as this service knows it.</summary>
public sealed record Course
{
    public required long Id { get; init; }
    public string ShortName { get; init; } = "";
    public string FullName { get; init; } = "";
    public string? Url { get; init; }
    public DateTimeOffset? StartDate { get; init; }
    public DateTimeOffset? EndDate { get; init; }
    public bool Visible { get; init; } = true;
    /// <summary>The <c>created</c> of the plugin envelope whose state last wrote this course: an older envelope's state is not applied over it.</summary>
    public DateTimeOffset? StateAt { get; init; }

    /// <summary>What a way in says about the course merged over what is stored: a field it does not give keeps its value.</summary>
    public Course With(CoursePatch patch) => this with
    {
        ShortName = patch.ShortName ?? ShortName,
        FullName = patch.FullName ?? FullName,
        Url = patch.HasUrl ? patch.Url : Url,
        StartDate = patch.HasStart ? patch.Start : StartDate,
        EndDate = patch.HasEnd ? patch.End : EndDate,
        Visible = patch.Visible ?? Visible,
    };
}

/// <summary>
/// What one way in (an upsert, an event, the pull sync, a CSV line) says about a course: null for a name or
/// the visibility it does not give; the Has flags say whether it gives a date or a link, which may be "none".
/// </summary>
public sealed record CoursePatch(
    string? ShortName = null, string? FullName = null, bool? Visible = null,
    bool HasUrl = false, string? Url = null, bool HasStart = false, DateTimeOffset? Start = null, bool HasEnd = false, DateTimeOffset? End = null)
{
    /// <summary>A course item as Moodle's web services and the snapshot upsert write it (the names differ only in case); a problem is kept on <paramref name="item"/>.</summary>
    internal static CoursePatch Read(JsonItem item, bool moodleNames = false)
    {
        string Name(string camel) => moodleNames ? camel.ToLowerInvariant() : camel;
        return new CoursePatch(
            item.String(Name("shortName")), item.String(Name("fullName")), item.Bool("visible"),
            item.Has("url"), item.Has("url") ? item.String("url") : null,
            item.Has(Name("startDate")), item.Date(Name("startDate")), item.Has(Name("endDate")), item.Date(Name("endDate")));
    }
}

/// <summary>A person who may receive mail. Personal data lives here only (and in the ledger's recipient details).</summary>
public sealed record Learner
{
    public required long Id { get; init; }
    public string Username { get; init; } = "";
    public string Email { get; init; } = "";
    public string FirstName { get; init; } = "";
    public string LastName { get; init; } = "";
    /// <summary>Moodle language code (<c>fr</c>, <c>en</c>, <c>fr_ca</c>...); empty: site default.</summary>
    public string Lang { get; init; } = "";
    /// <summary>IANA zone, Moodle's <c>99</c> or empty: site default.</summary>
    public string TimeZone { get; init; } = "";
    public bool Suspended { get; init; }
    /// <summary>The learner unsubscribed from reminders (one-click link in every reminder).</summary>
    public bool OptedOut { get; init; }
    /// <summary>Last Moodle login (user_loggedin), only ever moving forward.</summary>
    public DateTimeOffset? LastLogin { get; init; }
    /// <summary>The <c>created</c> of the plugin envelope whose state last wrote this learner: an older envelope's state is not applied over it.</summary>
    public DateTimeOffset? StateAt { get; init; }

    /// <summary>
    /// This learner with <paramref name="patch"/> applied: the profile fields it gives, unless it is a state
    /// older than the one that wrote this row (then only what follows applies); an opt-out is never undone;
    /// the last login and the state time only move forward.
    /// </summary>
    public Learner With(LearnerPatch patch)
    {
        var learner = patch.StateAt is { } at && StateAt > at ? this : this with
        {
            Username = patch.Username ?? Username,
            Email = patch.Email ?? Email,
            FirstName = patch.FirstName ?? FirstName,
            LastName = patch.LastName ?? LastName,
            Lang = patch.Lang ?? Lang,
            TimeZone = patch.TimeZone ?? TimeZone,
            Suspended = patch.Suspended ?? Suspended,
            StateAt = patch.StateAt ?? StateAt,
        };
        return learner with
        {
            OptedOut = OptedOut || patch.OptOut,
            LastLogin = Instants.Latest(LastLogin, patch.LoggedInAt),
        };
    }

    /// <summary>Why the learner cannot be stored as it is (an email that is not a bare address: every send would fail), or null.</summary>
    public string? Problem() => Email.Length > 0 && !CourseNotification.Email.EmailAddresses.IsBare(Email) ? $"'{Email}' is not an email address" : null;
}

/// <summary>
/// What one way in (a state item, a snapshot upsert, a login, an unsubscribe, an import row) says of a
/// learner: a field left null keeps its stored value. The merge rules live in <see cref="Learner.With"/>.
/// </summary>
public sealed record LearnerPatch(long Id)
{
    public string? Username { get; init; }
    public string? Email { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? Lang { get; init; }
    public string? TimeZone { get; init; }
    public bool? Suspended { get; init; }
    /// <summary>The learner unsubscribed: only ever sets the opt-out, nothing clears it.</summary>
    public bool OptOut { get; init; }
    /// <summary>A Moodle login at this time.</summary>
    public DateTimeOffset? LoggedInAt { get; init; }
    /// <summary>The <c>created</c> of the plugin envelope whose state this is, or the time of a snapshot upsert.</summary>
    public DateTimeOffset? StateAt { get; init; }
}

/// <summary>
/// The part of a learner the engine needs, copied into each of their snapshots so a scan reads one table;
/// with their names, so a course's people are known from its snapshots alone (comments in reports are
/// cleaned of them).
/// </summary>
public sealed record LearnerProfile(
    string Lang, string TimeZone, bool Suspended, bool OptedOut = false, string FirstName = "", string LastName = "", string Username = "")
{
    public static LearnerProfile Of(Learner learner) =>
        new(learner.Lang, learner.TimeZone, learner.Suspended, learner.OptedOut, learner.FirstName, learner.LastName, learner.Username);
}

/// <summary>A role assignment or unassignment as Moodle reported it.</summary>
public sealed record RoleEvent(bool Assigned, DateTimeOffset At);

/// <summary>One Moodle enrolment (user_enrolments row) of a learner in a course.</summary>
public sealed record Enrolment
{
    public required long Id { get; init; }
    public string Method { get; init; } = "manual";
    public bool Active { get; init; } = true;
    /// <summary>Moodle timestart; null when 0 (from creation).</summary>
    public DateTimeOffset? Start { get; init; }
    /// <summary>Moodle timeend; null when 0 (open-ended).</summary>
    public DateTimeOffset? End { get; init; }
    /// <summary>When the enrolment was created (Moodle timecreated), the start when none is set.</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>When Moodle deleted it (user_enrolment_deleted): kept as a tombstone so a late replay of its creation cannot bring it back.</summary>
    public DateTimeOffset? RemovedAt { get; init; }

    /// <summary>Time of the last Moodle event applied to it: an older event never moves it backwards.</summary>
    public DateTimeOffset? EventAt { get; init; }

    /// <summary>When the enrolment was seen turning suspended, when known: at or after its end means "suspended by its expiry".</summary>
    public DateTimeOffset? SuspendedAt { get; init; }

    public DateTimeOffset? EffectiveStart => Start ?? Created;

    /// <summary>Suspended, and not before its own end: Moodle's expiry action, not a manual suspension.</summary>
    public bool SuspendedByExpiry(DateTimeOffset at) => !Active && RemovedAt is null && End is { } end && end <= at && (SuspendedAt is null || SuspendedAt >= end);

    /// <summary>Active and not deleted.</summary>
    public bool IsActive => Active && RemovedAt is null;
}

/// <summary>
/// Everything the engine needs about one learner in one course: their enrolments, roles, activity and
/// completion, and a copy of their profile. Keyed (course, learner).
/// </summary>
public sealed record EnrolmentSnapshot
{
    public required long CourseId { get; init; }
    public required long LearnerId { get; init; }
    public IReadOnlyList<Enrolment> Enrolments { get; init; } = [];
    /// <summary>Role short names in the course context; null when no role was ever reported.</summary>
    public IReadOnlyList<string>? Roles { get; init; }
    /// <summary>The last role event applied per role (assigned or not, and when), so events out of order cannot undo a newer one.</summary>
    public IReadOnlyDictionary<string, RoleEvent>? RoleEvents { get; init; }
    public DateTimeOffset? FirstAccess { get; init; }
    public DateTimeOffset? LastAccess { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    /// <summary>
    /// Activities the learner completed, by course module id, each with its first completion (complete or
    /// passed, set by the learner); null when none was seen. A later "incomplete" never removes one.
    /// </summary>
    public IReadOnlyDictionary<long, DateTimeOffset>? ActivityCompletions { get; init; }
    public LearnerProfile? Profile { get; init; }
    /// <summary>The <c>created</c> of the plugin envelope whose state last wrote this snapshot: an older envelope's state is not applied over it.</summary>
    public DateTimeOffset? StateAt { get; init; }

    /// <summary>Course accesses seen: the first access is the earliest ever seen, the last the latest; an older report moves neither back.</summary>
    public EnrolmentSnapshot WithAccess(DateTimeOffset? first, DateTimeOffset? last) => this with
    {
        FirstAccess = Instants.Earliest(FirstAccess, Instants.Earliest(first, last)),
        LastAccess = Instants.Latest(LastAccess, last ?? first),
    };

    /// <summary>A completion seen (an event, a sync): the first one counts.</summary>
    public EnrolmentSnapshot WithCompletion(DateTimeOffset? at) => this with { CompletedAt = Instants.Earliest(CompletedAt, at) };

    /// <summary>An activity completion seen (course_module_completion_updated, complete or passed, by the learner): the first one counts, as for the course.</summary>
    public EnrolmentSnapshot WithActivityCompletion(long activityId, DateTimeOffset at)
    {
        var known = ActivityCompletedAt(activityId);
        // Bounded so the row stays within one Table property (SnapshotStore): no course tracks that many activities.
        if (known <= at || (known is null && ActivityCompletions?.Count >= MaxActivityCompletions))
        {
            return this;
        }
        var completions = new Dictionary<long, DateTimeOffset>(ActivityCompletions ?? new Dictionary<long, DateTimeOffset>()) { [activityId] = at };
        return this with { ActivityCompletions = completions };
    }

    /// <summary>The most activity completions a snapshot keeps (later new ones are not recorded).</summary>
    public const int MaxActivityCompletions = 1500;

    /// <summary>When the learner first completed the activity, or null.</summary>
    public DateTimeOffset? ActivityCompletedAt(long activityId) =>
        ActivityCompletions is { } completions && completions.TryGetValue(activityId, out var at) ? at : null;

    /// <summary>Applies a role event unless a newer one for the same role was applied already.</summary>
    public EnrolmentSnapshot WithRoleEvent(string role, bool assigned, DateTimeOffset at)
    {
        if (RoleEvents?.GetValueOrDefault(role) is { } last && last.At > at)
        {
            return this;
        }
        var roles = (Roles ?? []).Where(r => r != role).ToList();
        if (assigned)
        {
            roles.Add(role);
        }
        var events = new Dictionary<string, RoleEvent>(RoleEvents ?? new Dictionary<string, RoleEvent>()) { [role] = new RoleEvent(assigned, at) };
        return this with { Roles = roles, RoleEvents = events };
    }

    /// <summary>A listing's roles in the course (the pull sync): they replace the stored ones; none given keeps them.</summary>
    public EnrolmentSnapshot WithRoles(IReadOnlyList<string>? roles) => this with { Roles = roles ?? Roles };

    /// <summary>
    /// The enrolment marked removed (a tombstone, as user_enrolment_deleted leaves it: inactive, its dates kept, the
    /// first removal time kept), so a late replay of its creation cannot bring it back.
    /// </summary>
    public EnrolmentSnapshot WithEnrolmentRemoved(long enrolmentId, DateTimeOffset at)
    {
        var known = Enrolments.FirstOrDefault(e => e.Id == enrolmentId) ?? new Enrolment { Id = enrolmentId };
        return WithEnrolment(known with
        {
            Active = false,
            RemovedAt = known.RemovedAt ?? at,
            EventAt = known.EventAt > at ? known.EventAt : at,
        });
    }

    /// <summary>
    /// What a listing of a course's enrolled people says of one of them when it names no enrolment row (Moodle's
    /// core web services: enrolled, with an active enrolment or none, i.e. suspended or not started yet).
    /// Without a live enrolment, the pulled one (id <see cref="MoodleSync.PulledEnrolmentId"/>) stands for it;
    /// live ones all take the listing's status when none has it (the listing cannot say which one it means;
    /// one whose known dates make it not current already agrees with "not active").
    /// A pulled enrolment's start is the moment it is first seen active (<paramref name="startIfActive"/>), so
    /// a learner whose enrolment was not current yet is welcomed when it starts, not on the day it was first seen.
    /// </summary>
    public EnrolmentSnapshot WithListedEnrolment(bool active, DateTimeOffset startIfActive, DateTimeOffset at)
    {
        var live = Enrolments.Where(e => e.RemovedAt is null).ToList();
        if (live.Count == 0)
        {
            return WithEnrolment(new Enrolment
            {
                Id = MoodleSync.PulledEnrolmentId, Method = "pull", Active = active,
                Created = active ? startIfActive : null, SuspendedAt = active ? null : at,
            });
        }
        // Already what the listing says, dates included: a known enrolment that has not started (or has ended) is not current, as Moodle counts it.
        bool Current(Enrolment e) => e.Active && !(e.Start > at) && !(e.End <= at);
        if (active ? live.Any(e => e.Active) : !live.Any(Current))
        {
            return this;
        }
        var next = this;
        foreach (var e in live)
        {
            next = next.WithEnrolment(e with
            {
                Active = active,
                SuspendedAt = active ? null : e.SuspendedAt ?? at,
                Created = e.Created ?? (active && e.Id == MoodleSync.PulledEnrolmentId ? startIfActive : null),
            });
        }
        return next;
    }

    /// <summary>Adds the enrolment, or replaces the one with the same id.</summary>
    public EnrolmentSnapshot WithEnrolment(Enrolment enrolment) => this with
    {
        Enrolments = [.. Enrolments.Where(e => e.Id != enrolment.Id), enrolment],
    };

    /// <summary>
    /// The learner's profile copied in, the opt-out kept: a copy read before the learner opted out (a
    /// login, a sync, an import racing the unsubscribe) never takes it back.
    /// </summary>
    public EnrolmentSnapshot WithProfile(LearnerProfile? profile) => this with
    {
        Profile = profile is { OptedOut: false } && Profile is { OptedOut: true } ? profile with { OptedOut = true } : profile ?? Profile,
    };
}

/// <summary>The merge rules' comparisons of instants that may be unknown (null): an unknown one never wins.</summary>
internal static class Instants
{
    public static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    public static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
