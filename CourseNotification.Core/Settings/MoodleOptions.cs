using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace CourseNotification.Settings;

/// <summary>How Moodle reaches this service, bound from <c>Moodle__*</c>.</summary>
public sealed class MoodleOptions : IValidatableObject
{
    public const string Section = "Moodle";

    /// <summary>Shared token(s) that plain pushed events must carry in their body, comma-separated.</summary>
    public string WebhookToken { get; set; } = "";

    /// <summary>Standard Webhooks secrets (<c>whsec_</c> + base64), comma-separated: several may be valid while one is rotated.</summary>
    public string WebhookSecrets { get; set; } = "";

    /// <summary>Root URL of the Moodle site the pull sync reads (web services must be enabled); empty: no pull.</summary>
    public string Url { get; set; } = "";

    /// <summary>Web service token of a Moodle user allowed the functions docs/moodle.md lists for the pull sync (the plugin's service has them all).</summary>
    public string Token { get; set; } = "";

    /// <summary>Learners read per web service call when paging through a course.</summary>
    [Range(10, 5000, ErrorMessage = "Moodle__PageSize must be from 10 to 5000.")]
    public int PageSize { get; set; } = 500;

    /// <summary>
    /// The IANA zone Moodle's "99" (the site's zone) means for the pull sync without the plugin: Moodle's core web
    /// services do not say it (the plugin's answer does). Empty: <c>Platform__TimeZone</c>.
    /// </summary>
    public string SiteTimeZone { get; set; } = "";

    /// <summary>Moodle role ids and their short names (role events carry only the id): Moodle's defaults unless changed.</summary>
    public string RoleIds { get; set; } = "1=manager,2=coursecreator,3=editingteacher,4=teacher,5=student,6=guest,7=user,8=frontpage";

    public IReadOnlyList<string> WebhookTokens =>
        WebhookToken.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public IReadOnlyList<byte[]> SecretKeys =>
        [.. WebhookSecrets.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => Convert.FromBase64String(s["whsec_".Length..]))];

    public IReadOnlyDictionary<long, string> RoleNames =>
        RoleIds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(pair => pair.Split('=', 2, StringSplitOptions.TrimEntries))
            .ToDictionary(pair => long.Parse(pair[0], CultureInfo.InvariantCulture), pair => pair[1]);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Url.Length > 0 && (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http")))
        {
            yield return new ValidationResult($"Moodle__Url: \"{Url}\" is not an absolute URL.", [nameof(Url)]);
        }
        if (Url.Length > 0 && Token.Length == 0)
        {
            yield return new ValidationResult("Moodle__Token: required with Moodle__Url (the pull sync's web service token).", [nameof(Token)]);
        }
        if (SiteTimeZone.Length > 0 && !TimeZoneInfo.TryFindSystemTimeZoneById(SiteTimeZone, out _))
        {
            yield return new ValidationResult($"Moodle__SiteTimeZone: \"{SiteTimeZone}\" is not an IANA time zone (Europe/Paris...).", [nameof(SiteTimeZone)]);
        }
        foreach (var secret in WebhookSecrets.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var bytes = new byte[secret.Length];
            if (!secret.StartsWith("whsec_", StringComparison.Ordinal) || !Convert.TryFromBase64String(secret["whsec_".Length..], bytes, out var length) || length < 16)
            {
                yield return new ValidationResult("Moodle__WebhookSecrets: each secret is whsec_ followed by at least 16 bytes in base64.", [nameof(WebhookSecrets)]);
            }
        }
        foreach (var pair in RoleIds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out _) || parts[1].Length == 0)
            {
                yield return new ValidationResult($"Moodle__RoleIds: '{pair}' is not id=shortname.", [nameof(RoleIds)]);
            }
        }
    }
}
