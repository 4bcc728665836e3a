using System.Net.Mail;

namespace CourseNotification.Email;

/// <summary>What this service accepts as a recipient: a bare address, never a display name around one.</summary>
public static class EmailAddresses
{
    /// <summary>
    /// True for <c>someone@example.org</c>; false for <c>Mallory &lt;x@evil.example&gt;</c>, lists, quoted
    /// names or anything with spaces around it (accepted, they would fail at every send).
    /// </summary>
    public static bool IsBare(string? value) =>
        value is { Length: > 0 and <= 254 }
        && MailAddress.TryCreate(value, out var parsed)
        && parsed.DisplayName.Length == 0
        && string.Equals(parsed.Address, value, StringComparison.Ordinal);
}
