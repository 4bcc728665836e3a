using Microsoft.AspNetCore.Http;

namespace CourseNotification.Http;

/// <summary>Reads a posted HTML form; a body that says it is a form but is not one is refused, not thrown.</summary>
internal static class FormBody
{
    /// <summary>The form, or null when the body is not a readable form within <paramref name="maxBytes"/>.</summary>
    public static async Task<IFormCollection?> TryReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType || request.ContentLength > maxBytes)
        {
            return null;
        }
        try
        {
            return await request.ReadFormAsync(cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
        {
            return null;
        }
    }
}
