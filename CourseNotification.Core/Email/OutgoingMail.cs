using CourseNotification.Settings;
using MimeKit;

namespace CourseNotification.Email;

/// <summary>
/// One mail ready to go. <paramref name="MessageId"/> and <paramref name="OperationId"/> are derived from
/// the ledger key, so every try of the same send carries the same ids and providers or relays can
/// recognise a repeat; <paramref name="FirstTriedAt"/> is when the first try began.
/// </summary>
public sealed record OutgoingMail(
    string To, string ToName, string Subject, string Html, string Text, string MessageId, string Language, Guid OperationId, DateTimeOffset FirstTriedAt);

/// <summary>Sends a mail and returns the provider's message id.</summary>
public interface IMailTransport
{
    Task<string> SendAsync(OutgoingMail mail, CancellationToken cancellationToken);
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
        return message;
    }
}
