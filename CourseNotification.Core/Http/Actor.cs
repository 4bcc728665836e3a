using Microsoft.AspNetCore.Http;

namespace CourseNotification.Http;

/// <summary>
/// Who is calling, as a name to record with what they change (a course's settings, a send asked again).
/// Today every page and route that changes something is reached with the site's function key: its
/// holder is the site's administrator. A course-scoped session (a Moodle user's grant) answers with that
/// user's name instead, when it exists.
/// </summary>
public static class Actor
{
    public const string Administrator = "administrator";

    public static string Of(HttpRequest request) => Administrator;
}
