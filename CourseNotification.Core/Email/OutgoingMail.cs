using CourseNotification.Settings;
using MimeKit;

namespace CourseNotification.Email;

/// <summary>
/// One mail ready to go. <paramref name="MessageId"/> and <paramref name="OperationId"/> are derived from
/// the ledger key, so every try of the same send carries the same ids and providers or relays can
/// recognise a repeat; <paramref name="FirstTriedAt"/> is when the first try began. <paramref name="Headers"/>
/// are extra headers (List-Unsubscribe).
/// </summary>
public sealed record OutgoingMail(
    string To, string ToName, string Subject, string Html, string Text, string MessageId, string Language, Guid OperationId, DateTimeOffset FirstTriedAt,
    IReadOnlyDictionary<string, string>? Headers = null)
{
    /// <summary>A Message-ID with the given unique part, in the domain of the sender's address.</summary>
    public static string MessageIdFor(string uniquePart, string fromAddress) =>
        $"{uniquePart}@{fromAddress[(fromAddress.IndexOf('@', StringComparison.Ordinal) + 1)..]}";

    /// <summary>RFC 8058 one-click unsubscribe headers for a link.</summary>
    public static IReadOnlyDictionary<string, string> UnsubscribeHeaders(string url) => new Dictionary<string, string>
    {
        ["List-Unsubscribe"] = $"<{url}>",
        ["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click",
    };
}

/// <summary>
/// Sends a mail and returns the provider's message id. A refusal for good throws
/// <see cref="MailRejectedException"/>, a request to wait <see cref="MailThrottledException"/>; anything
/// else is a failure a later try may overcome.
/// </summary>
public interface IMailTransport
{
    /// <summary>
    /// Hands a mail to the provider; returns its id there. <paramref name="cancellationToken"/> is the
    /// dispatcher's budget (inside the send's claim lease): a transport honours it only where stopping
    /// cannot leave a mail half taken (waiting for a connection, connecting; over ACS anywhere, its requests
    /// being repeatable), and throws <see cref="OperationCanceledException"/> then.
    /// </summary>
    Task<string> SendAsync(OutgoingMail mail, CancellationToken cancellationToken);
}

/// <summary>The provider refused a mail for good (bad recipient, ACS's Failed operation, an SMTP 5xx): retrying cannot help.</summary>
public sealed class MailRejectedException(string message) : Exception(message);

/// <summary>The provider asks to wait (ACS's 429, an SMTP 4xx); try again after <see cref="RetryAfter"/>.</summary>
public sealed class MailThrottledException(TimeSpan retryAfter) : Exception($"The mail provider asks to retry after {retryAfter.TotalSeconds:0} s.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

internal static class MimeMails
{
    public static MimeMessage Build(OutgoingMail mail, EmailOptions email, string siteName)
    {
        var fromName = string.IsNullOrEmpty(email.FromName) ? siteName : email.FromName;
        var message = new MimeMessage
        {
            Subject = mail.Subject,
            MessageId = mail.MessageId,
            Body = new BodyBuilder { HtmlBody = mail.Html, TextBody = mail.Text }.ToMessageBody(),
        };
        message.From.Add(new MailboxAddress(fromName, email.From));
        message.To.Add(new MailboxAddress(mail.ToName, mail.To));
        message.Headers.Add(HeaderId.ContentLanguage, mail.Language);
        foreach (var (name, value) in mail.Headers ?? new Dictionary<string, string>())
        {
            message.Headers.Add(name, value);
        }
        return message;
    }
}
