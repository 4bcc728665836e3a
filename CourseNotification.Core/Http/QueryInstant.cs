using CourseNotification.Enrolments;
using Microsoft.AspNetCore.Http;

namespace CourseNotification.Http;

/// <summary>The <c>at</c> query parameter every "as of an instant" route takes: ISO 8601, within the supported dates; now when absent.</summary>
internal static class QueryInstant
{
    public static bool TryRead(HttpRequest request, TimeProvider clock, out DateTimeOffset at, out IResult problem)
    {
        at = clock.GetUtcNow();
        problem = Results.Empty;
        if (request.Query["at"] is not { Count: > 0 } given)
        {
            return true;
        }
        if (!SupportedDates.TryParseInstant(given[0] ?? "", out at, out var reason))
        {
            problem = Problems.Field(400, "at", reason);
            return false;
        }
        return true;
    }
}
