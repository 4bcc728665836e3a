namespace CourseNotification.Settings;

/// <summary>
/// The words the settings' checks use (day ranges, template texts), in the language of who reads them:
/// English for the API and the app settings, the teacher's language in the settings editor. Formats take
/// their values in the order their comments give.
/// </summary>
public sealed record ProblemWords
{
    /// <summary>Value, lowest, highest.</summary>
    public required string DaysFromTo { get; init; }

    /// <summary>Value, highest, the first call's days.</summary>
    public required string SecondCallDays { get; init; }

    /// <summary>Value, highest.</summary>
    public required string RepeatDays { get; init; }

    /// <summary>Value, highest.</summary>
    public required string MaxRepeats { get; init; }

    /// <summary>Line, placeholder.</summary>
    public required string UnknownPlaceholder { get; init; }

    /// <summary>Handlebars' own message (English).</summary>
    public required string DoesNotCompile { get; init; }

    public static readonly ProblemWords English = new()
    {
        DaysFromTo = "{0} is not a number of days from {1} to {2}.",
        SecondCallDays = "{0} must be a number of days up to {1}, after the first call ({2}).",
        RepeatDays = "{0} is not a number of days from 2 to {1} (alerts have a 1-day catch-up).",
        MaxRepeats = "{0} is not a number of alerts from 1 to {1}.",
        UnknownPlaceholder = "line {0}: unknown placeholder '{1}'",
        DoesNotCompile = "does not compile: {0}",
    };

    public static readonly ProblemWords French = new()
    {
        DaysFromTo = "{0} n’est pas un nombre de jours de {1} à {2}.",
        SecondCallDays = "{0} doit être un nombre de jours d’au plus {1}, après la première relance ({2}).",
        RepeatDays = "{0} n’est pas un nombre de jours de 2 à {1} (les alertes ont un jour de rattrapage).",
        MaxRepeats = "{0} n’est pas un nombre d’alertes de 1 à {1}.",
        UnknownPlaceholder = "ligne {0}\u00A0: champ de fusion inconnu «\u00A0{1}\u00A0»",
        DoesNotCompile = "ne se compile pas (message de Handlebars)\u00A0: {0}",
    };

    public static ProblemWords For(string lang) => lang == "fr" ? French : English;

    internal static string Format(string format, params object[] values) => string.Format(System.Globalization.CultureInfo.InvariantCulture, format, values);
}
