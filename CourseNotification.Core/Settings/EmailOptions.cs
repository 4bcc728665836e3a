using System.ComponentModel.DataAnnotations;

namespace CourseNotification.Settings;

public enum EmailTransportKind
{
    Smtp,
    Acs,
    Outbox,
}

/// <summary>How mail leaves the service, bound from <c>Email__*</c>.</summary>
public sealed class EmailOptions : IValidatableObject
{
    public const string Section = "Email";

    public EmailTransportKind Transport { get; set; } = EmailTransportKind.Outbox;

    /// <summary>Sender address (for ACS: a sender of a domain linked to the resource).</summary>
    [Required, EmailAddress(ErrorMessage = "Email__From must be an email address.")]
    public string From { get; set; } = "no-reply@example.org";

    /// <summary>Display name of the sender; the site name when empty.</summary>
    public string FromName { get; set; } = "";

    public SmtpOptions Smtp { get; set; } = new();

    public OutboxOptions Outbox { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        switch (Transport)
        {
            case EmailTransportKind.Smtp when string.IsNullOrWhiteSpace(Smtp.Host):
                yield return new ValidationResult("Email__Smtp__Host is required when Email__Transport is Smtp.", ["Smtp.Host"]);
                break;
            case EmailTransportKind.Smtp when Smtp.Port is < 1 or > 65535:
                yield return new ValidationResult($"Email__Smtp__Port {Smtp.Port} is not a TCP port.", ["Smtp.Port"]);
                break;
            case EmailTransportKind.Acs:
                yield return new ValidationResult(
                    "Email__Transport=Acs is not available in this build yet (the ACS REST client is the Dispatch issue); use Smtp (ACS offers SMTP too) or Outbox.",
                    [nameof(Transport)]);
                break;
            case EmailTransportKind.Outbox when string.IsNullOrWhiteSpace(Outbox.Directory):
                yield return new ValidationResult("Email__Outbox__Directory is required when Email__Transport is Outbox.", ["Outbox.Directory"]);
                break;
        }
    }
}

public sealed class SmtpOptions
{
    public string Host { get; set; } = "";

    public int Port { get; set; } = 587;

    /// <summary>None, StartTls, StartTlsWhenAvailable, SslOnConnect or Auto (MailKit's SecureSocketOptions).</summary>
    public string Security { get; set; } = "Auto";

    public string User { get; set; } = "";

    public string Password { get; set; } = "";
}

public sealed class OutboxOptions
{
    /// <summary>Folder the Outbox transport writes one .eml file per mail into.</summary>
    public string Directory { get; set; } = "outbox";
}
