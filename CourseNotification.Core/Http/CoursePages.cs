using Microsoft.AspNetCore.Http;

namespace CourseNotification.Http;

/// <summary>What every page of a course (status, mail preview, send again, settings, the door from Moodle) shares: its language and the query its links carry on.</summary>
internal static class CoursePages
{
    private static readonly string[] CarriedNames = ["code", "lang"];

    /// <summary>
    /// The interface language: <c>?lang=</c>, else the Moodle language of a teacher who came from Moodle,
    /// else the browser's (Accept-Language), else the platform's.
    /// </summary>
    public static string Language(HttpRequest request, string platformDefault)
    {
        if (request.Query["lang"].ToString() is "fr" or "en")
        {
            return request.Query["lang"].ToString();
        }
        if (request.HttpContext.CourseSession()?.Language is { Length: > 0 } moodle && Templates.Languages.Pick(moodle, "") is { Length: > 0 } fromMoodle)
        {
            return fromMoodle;
        }
        var accepted = request.GetTypedHeaders().AcceptLanguage
            .OrderByDescending(l => l.Quality ?? 1)
            .Select(l => Templates.Languages.Pick(l.Value.Value, ""))
            .FirstOrDefault(l => l.Length > 0);
        return accepted ?? (platformDefault == "en" ? "en" : "fr");
    }

    /// <summary>An instant as the course pages write it, to the minute in UTC ("2026-03-02 08:00"; the page adds "UTC").</summary>
    public static string Minute(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The query a page's links and forms carry on, with its "?" (or empty): the function key (in Azure,
    /// an administrator opens the pages with <c>?code=</c>) and the interface language, then the given pairs.
    /// </summary>
    public static string Carried(HttpRequest request, params (string Name, string Value)[] more)
    {
        var pairs = CarriedNames.Where(n => request.Query[n].ToString().Length > 0).Select(n => (n, request.Query[n].ToString()))
            .Concat(more.Where(m => m.Value.Length > 0))
            .Select(p => $"{Uri.EscapeDataString(p.Item1)}={Uri.EscapeDataString(p.Item2)}").ToList();
        return pairs.Count == 0 ? "" : "?" + string.Join('&', pairs);
    }
}
