namespace CourseNotification.Settings;

/// <summary>How Moodle reaches this service, bound from <c>Moodle__*</c>.</summary>
public sealed class MoodleOptions
{
    public const string Section = "Moodle";

    /// <summary>Shared token(s) that plain pushed events must carry in their body, comma-separated. Empty: no token check.</summary>
    public string WebhookToken { get; set; } = "";

    public IReadOnlyList<string> WebhookTokens =>
        WebhookToken.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
