namespace CourseNotification.Enrolments;

/// <summary>
/// What one snapshot upsert says about one enrolment (docs/moodle.md, snapshot upsert), and how it merges into the
/// stored snapshot: a field not given keeps its stored value. Shared by <c>PUT /api/snapshots</c> and
/// the CSV import, so both apply the same rules.
/// </summary>
internal sealed record EnrolmentUpsert
{
    public required long Id { get; init; }
    public string? Method { get; init; }
    /// <summary>null (keep), <c>active</c> or <c>suspended</c>.</summary>
    public string? Status { get; init; }
    public bool HasStart { get; init; }
    public DateTimeOffset? Start { get; init; }
    public bool HasEnd { get; init; }
    public DateTimeOffset? End { get; init; }
    public DateTimeOffset? FirstAccess { get; init; }
    public DateTimeOffset? LastAccess { get; init; }
    public bool HasCompletedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public IReadOnlyList<string>? Roles { get; init; }

    /// <summary>Whether the snapshot has no enrolment with this id yet (the upsert creates it).</summary>
    public bool IsNewIn(EnrolmentSnapshot snapshot) => snapshot.Enrolments.All(e => e.Id != Id);

    /// <summary>
    /// The snapshot with this enrolment applied (pure: re-applied when a write must be retried); the
    /// learner's profile is copied in when the learner is known.
    /// </summary>
    public EnrolmentSnapshot ApplyTo(EnrolmentSnapshot snapshot, Learner? learner, DateTimeOffset now)
    {
        var existing = snapshot.Enrolments.FirstOrDefault(e => e.Id == Id);
        var active = Status is null ? existing?.Active ?? true : Status == "active";
        var enrolment = (existing ?? new Enrolment { Id = Id }) with
        {
            Method = Method ?? existing?.Method ?? "manual",
            Active = active,
            RemovedAt = null,
            // First seen suspended now: tells a manual suspension from Moodle's expiry action.
            SuspendedAt = active ? null : existing is { Active: false } ? existing.SuspendedAt : now,
            Start = HasStart ? Start : existing?.Start,
            End = HasEnd ? End : existing?.End,
        };
        // An upsert is the administrator's word on the completion (it may clear one); accesses only move on.
        return snapshot.WithEnrolment(enrolment).WithProfile(learner is null ? null : LearnerProfile.Of(learner)).WithAccess(FirstAccess, LastAccess) with
        {
            Roles = Roles ?? snapshot.Roles,
            CompletedAt = HasCompletedAt ? CompletedAt : snapshot.CompletedAt,
        };
    }
}
