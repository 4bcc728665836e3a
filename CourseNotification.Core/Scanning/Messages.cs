namespace CourseNotification.Scanning;

/// <summary>
/// Queue <c>scan-course</c>: evaluate one course's snapshots as of <paramref name="At"/>.
/// <paramref name="TraceParent"/> continues the producer's trace.
/// </summary>
public sealed record ScanCourseMessage(long CourseId, DateTimeOffset At, string? TraceParent = null);

/// <summary>
/// Queue <c>notifications</c>: one due send, identified by its ledger key. <paramref name="SentAs"/> is set
/// on the message a dispatcher leaves when the provider took the mail but the ledger could not record it:
/// the provider's id, for the record to be written, and nothing to send.
/// </summary>
public sealed record NotificationMessage(
    long CourseId, long LearnerId, string Signal, DateOnly Anchor, int Repeat, DateTimeOffset ScannedAt, string? TraceParent = null, string? SentAs = null);
