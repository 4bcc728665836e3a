namespace CourseNotification.Dispatch;

/// <summary>Why a request for a mail (preview, test send) was refused: the HTTP status it deserves, the field at fault, and why.</summary>
public sealed record Refusal(int Status, string Field, string Message);
