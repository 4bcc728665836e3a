namespace CourseNotification.Scanning;

/// <summary>Queue <c>scan-course</c>: evaluate one course's snapshots as of <paramref name="At"/>.</summary>
public sealed record ScanCourseMessage(long CourseId, DateTimeOffset At);

/// <summary>Queue <c>notifications</c>: one due send, identified by its ledger key.</summary>
public sealed record NotificationMessage(long CourseId, long LearnerId, string Signal, DateOnly Anchor, int Repeat, DateTimeOffset ScannedAt);
