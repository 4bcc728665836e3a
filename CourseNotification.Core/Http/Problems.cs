using Microsoft.AspNetCore.Http;

namespace CourseNotification.Http;

/// <summary>RFC 7807 problem+json answers that name the offending field.</summary>
public static class Problems
{
    public static IResult Field(int status, string field, string detail) => Results.Problem(
        statusCode: status,
        title: status switch
        {
            400 => "The request is not valid",
            401 => "Authentication required",
            403 => "Not allowed",
            404 => "Not found",
            413 => "The request body is too large",
            415 => "Unsupported media type",
            _ => "The request was refused",
        },
        detail: detail,
        extensions: new Dictionary<string, object?> { ["field"] = field });
}
