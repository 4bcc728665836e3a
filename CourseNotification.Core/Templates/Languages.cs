namespace CourseNotification.Templates;

/// <summary>Maps Moodle language codes to the languages templates exist in.</summary>
public static class Languages
{
    public static IReadOnlyList<string> Supported { get; } = ["fr", "en"];

    /// <summary><c>fr_ca</c> -> <c>fr</c>, <c>en_us</c> -> <c>en</c>; anything else -> the site default.</summary>
    public static string Pick(string? moodleLang, string siteDefault)
    {
        if (string.IsNullOrWhiteSpace(moodleLang))
        {
            return siteDefault;
        }
        // Every mail asks: no allocation for the usual "fr", "en", "fr_ca".
        var text = moodleLang.AsSpan().Trim();
        var cut = text.IndexOfAny('_', '-');
        var primary = cut < 0 ? text : text[..cut];
        foreach (var lang in Supported)
        {
            if (primary.Equals(lang, StringComparison.OrdinalIgnoreCase))
            {
                return lang;
            }
        }
        return siteDefault;
    }

    /// <summary>How dates are written in each language (English as in Europe: "Thursday 5 March 2026").</summary>
    public static System.Globalization.CultureInfo Culture(string lang) =>
        System.Globalization.CultureInfo.GetCultureInfo(lang == "en" ? "en-GB" : "fr-FR");
}
