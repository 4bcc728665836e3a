namespace CourseNotification.Email;

/// <summary>An ACS connection string: <c>endpoint=https://x.communication.azure.com/;accesskey=base64</c>.</summary>
public sealed record AcsConnection(Uri Endpoint, byte[] Key)
{
    public static bool TryParse(string connectionString, out AcsConnection? connection, out string? error)
    {
        connection = null;
        var parts = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("endpoint", out var endpoint) || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            error = "it has no valid endpoint=... part.";
            return false;
        }
        if (!parts.TryGetValue("accesskey", out var key) || !TryBase64(key, out var bytes))
        {
            error = "it has no base64 accesskey=... part.";
            return false;
        }
        connection = new AcsConnection(uri, bytes);
        error = null;
        return true;
    }

    private static bool TryBase64(string text, out byte[] bytes)
    {
        bytes = new byte[text.Length];
        if (Convert.TryFromBase64String(text, bytes, out var written) && written > 0)
        {
            bytes = bytes[..written];
            return true;
        }
        return false;
    }
}
