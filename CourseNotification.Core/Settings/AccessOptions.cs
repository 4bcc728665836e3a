using System.ComponentModel.DataAnnotations;

namespace CourseNotification.Settings;

/// <summary>
/// How course owners and administrators reach a course's pages, bound from <c>Access__*</c>: a teacher by
/// the grant Moodle's block mints (turned into a session for that course alone), an administrator by a key
/// or by App Service sign-in.
/// </summary>
public sealed class AccessOptions : IValidatableObject
{
    public const string Section = "Access";

    /// <summary>Minutes a course session lasts after its grant was redeemed.</summary>
    [Range(5, 720, ErrorMessage = "Access__SessionMinutes must be from 5 to 720.")]
    public int SessionMinutes { get; set; } = 240;

    /// <summary>
    /// In the Function App, where the course pages are anonymous to the host so that a session can open
    /// them: the key an administrator gives (<c>?code=</c> or <c>x-functions-key</c>) to open any course's
    /// pages without a grant. Empty: only grants and App Service sign-in open them. The Cli's <c>serve</c>
    /// uses its own key (<c>Serve__Key</c>).
    /// </summary>
    public string AdminKey { get; set; } = "";

    /// <summary>
    /// True when App Service authentication (sign-in) is switched on for the Function App: its
    /// <c>X-MS-CLIENT-PRINCIPAL-*</c> headers are then set by the platform alone, and a signed-in
    /// administrator opens every course's pages. Never set it without sign-in: anyone could send the header.
    /// </summary>
    public bool AppServiceSignIn { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (AdminKey.Length is > 0 and < 16)
        {
            yield return new ValidationResult("Access__AdminKey must be at least 16 characters long (or empty).", [nameof(AdminKey)]);
        }
    }
}
