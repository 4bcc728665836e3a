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
    [Required(ErrorMessage = "Email__From: required."), EmailAddress(ErrorMessage = "Email__From must be an email address.")]
    public string From { get; set; } = "no-reply@example.org";

    /// <summary>Display name of the sender; the site name when empty.</summary>
    public string FromName { get; set; } = "";

    public SmtpOptions Smtp { get; set; } = new();

    public OutboxOptions Outbox { get; set; } = new();

    public AcsOptions Acs { get; set; } = new();

    public QuotaOptions Quota { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // DataAnnotations do not look into nested objects by themselves.
        var nested = new List<ValidationResult>();
        Validator.TryValidateObject(Quota, new ValidationContext(Quota), nested, validateAllProperties: true);
        Validator.TryValidateObject(Smtp, new ValidationContext(Smtp), nested, validateAllProperties: true);
        foreach (var problem in nested)
        {
            yield return problem;
        }
        switch (Transport)
        {
            case EmailTransportKind.Smtp when string.IsNullOrWhiteSpace(Smtp.Host):
                yield return new ValidationResult("Email__Smtp__Host: required when Email__Transport is Smtp.", ["Smtp.Host"]);
                break;
            case EmailTransportKind.Smtp when Smtp.Port is < 1 or > 65535:
                yield return new ValidationResult($"Email__Smtp__Port: {Smtp.Port} is not a TCP port (1 to 65535).", ["Smtp.Port"]);
                break;
            case EmailTransportKind.Acs when Acs.Problem() is { } problem:
                yield return new ValidationResult(problem, ["Acs"]);
                break;
            case EmailTransportKind.Outbox when string.IsNullOrWhiteSpace(Outbox.Directory):
                yield return new ValidationResult("Email__Outbox__Directory: required when Email__Transport is Outbox.", ["Outbox.Directory"]);
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

    /// <summary>SMTP connections kept open and used in parallel.</summary>
    [Range(1, 64, ErrorMessage = "Email__Smtp__Connections must be from 1 to 64.")]
    public int Connections { get; set; } = 4;
}

/// <summary>
/// The provider's sending quota, enforced across all instances (defaults: ACS with a custom domain;
/// the Azure-managed domain allows 5 per minute and 10 per hour). 0: no limit.
/// </summary>
public sealed class QuotaOptions
{
    [Range(0, 100_000, ErrorMessage = "Email__Quota__PerMinute must be from 0 (no limit) to 100000.")]
    public int PerMinute { get; set; } = 30;

    [Range(0, 1_000_000, ErrorMessage = "Email__Quota__PerHour must be from 0 (no limit) to 1000000.")]
    public int PerHour { get; set; } = 100;

    /// <summary>The interval between two sends that the quota allows on average (zero: no limit).</summary>
    public TimeSpan Spacing => TimeSpan.FromSeconds(Math.Max(PerMinute > 0 ? 60.0 / PerMinute : 0, PerHour > 0 ? 3600.0 / PerHour : 0));
}

/// <summary>Azure Communication Services Email over its REST API: a connection string (HMAC key), or an endpoint and Entra ID.</summary>
public sealed class AcsOptions
{
    /// <summary><c>endpoint=https://&lt;resource&gt;.communication.azure.com/;accesskey=&lt;base64&gt;</c>: requests are HMAC-signed.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary><c>https://&lt;resource&gt;.communication.azure.com</c>: requests carry an Entra ID token of the app's managed identity.</summary>
    public string Endpoint { get; set; } = "";

    /// <summary>How long to follow a send's operation before taking "accepted" as the answer.</summary>
    public TimeSpan StatusTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal string? Problem()
    {
        if (!string.IsNullOrWhiteSpace(ConnectionString))
        {
            return Email.AcsConnection.TryParse(ConnectionString, out _, out var error) ? null : $"Email__Acs__ConnectionString: {error}";
        }
        if (string.IsNullOrWhiteSpace(Endpoint))
        {
            return "Email__Transport: Acs needs Email__Acs__ConnectionString (key) or Email__Acs__Endpoint (managed identity).";
        }
        return Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
            ? null
            : $"Email__Acs__Endpoint: \"{Endpoint}\" is not an absolute URL.";
    }
}

public sealed class OutboxOptions
{
    /// <summary>Folder the Outbox transport writes one .eml file per mail into.</summary>
    public string Directory { get; set; } = "outbox";
}
