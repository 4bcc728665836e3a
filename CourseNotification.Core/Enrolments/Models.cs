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

    /// <summary>What a way in says about the learner merged over what is stored: a field it does not give keeps its value.</summary>
    public Learner With(LearnerPatch patch) => this with
    {
        Username = patch.Username ?? Username,
        Email = patch.Email ?? Email,
        FirstName = patch.FirstName ?? FirstName,
        LastName = patch.LastName ?? LastName,
        Lang = patch.Lang ?? Lang,
        TimeZone = patch.TimeZone ?? TimeZone,
        Suspended = patch.Suspended ?? Suspended,
    };

    /// <summary>Why the learner cannot be stored as it is (an email that is not a bare address: every send would fail), or null.</summary>
    public string? Problem() => Email.Length > 0 && !CourseNotification.Email.EmailAddresses.IsBare(Email) ? $"'{Email}' is not an email address" : null;
}

/// <summary>What one way in (an upsert, the pull sync, a CSV line) says about a learner: null for what it does not give.</summary>
public sealed record LearnerPatch(
    string? Username = null, string? Email = null, string? FirstName = null, string? LastName = null,
    string? Lang = null, string? TimeZone = null, bool? Suspended = null);

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
    public LearnerProfile? Profile { get; init; }
    /// <summary>The <c>created</c> of the plugin envelope whose state last wrote this snapshot: an older envelope's state is not applied over it.</summary>
    public DateTimeOffset? StateAt { get; init; }

    /// <summary>Course accesses seen: the first access is the earliest ever seen, the last the latest; an older report moves neither back.</summary>
    public EnrolmentSnapshot WithAccess(DateTimeOffset? first, DateTimeOffset? last) => this with
    {
        FirstAccess = Earliest(FirstAccess, Earliest(first, last)),
        LastAccess = Latest(LastAccess, last ?? first),
    };

    /// <summary>A completion seen (an event, a sync): the first one counts.</summary>
    public EnrolmentSnapshot WithCompletion(DateTimeOffset? at) => this with { CompletedAt = Earliest(CompletedAt, at) };

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

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
