using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CourseNotification.Settings;
using Microsoft.Extensions.Options;

namespace CourseNotification.Enrolments;

/// <summary>The Standard Webhooks headers of a request, when it has them.</summary>
public sealed record WebhookHeaders(string? Id, string? Timestamp, string? Signature)
{
    public bool Present => Id is not null || Timestamp is not null || Signature is not null;
}

/// <summary>
/// Checks a Standard Webhooks signature: <c>v1,</c> + base64 HMAC-SHA256 of <c>id.timestamp.body</c> under
/// any configured secret (rotation), compared in constant time, with a timestamp no older than five
/// minutes and not in the future.
/// </summary>
public sealed class WebhookVerifier(IOptions<MoodleOptions> moodle, TimeProvider clock)
{
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <summary>Standard Webhooks ids are short ("msg_" and a few dozen characters); anything longer is not one.</summary>
    public const int MaxIdLength = 256;

    /// <summary>Null when valid; otherwise the header at fault and why.</summary>
    public (string Field, string Problem)? Problem(WebhookHeaders headers, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(headers.Id) || string.IsNullOrEmpty(headers.Timestamp) || string.IsNullOrEmpty(headers.Signature))
        {
            return ("webhook-signature", "a signed webhook needs webhook-id, webhook-timestamp and webhook-signature.");
        }
        if (!long.TryParse(headers.Timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return ("webhook-timestamp", "webhook-timestamp is not Unix seconds.");
        }
        if (headers.Id.Length > MaxIdLength || headers.Id.Any(char.IsControl))
        {
            return ("webhook-id", $"webhook-id must be at most {MaxIdLength} characters, without control characters.");
        }
        // Compared in seconds: a timestamp far in the future is refused like a stale one, not turned into a date.
        if (Math.Abs(clock.GetUtcNow().ToUnixTimeSeconds() - seconds) > (long)Tolerance.TotalSeconds)
        {
            return ("webhook-timestamp", "webhook-timestamp is more than five minutes away from now (replay or clock skew).");
        }
        var keys = moodle.Value.SecretKeys;
        if (keys.Count == 0)
        {
            return ("webhook-signature", "no webhook secret is configured (Moodle__WebhookSecrets).");
        }
        byte[] signed = [.. Encoding.UTF8.GetBytes($"{headers.Id}.{headers.Timestamp}."), .. body];
        var given = headers.Signature.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(s => s.StartsWith("v1,", StringComparison.Ordinal))
            .Select(s => Decode(s[3..]))
            .Where(s => s is not null)
            .ToList();
        foreach (var key in keys)
        {
            var expected = HMACSHA256.HashData(key, signed);
            if (given.Any(g => CryptographicOperations.FixedTimeEquals(expected, g)))
            {
                return null;
            }
        }
        return ("webhook-signature", "no signature matches a configured secret.");
    }

    private static byte[]? Decode(string base64)
    {
        var bytes = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, bytes, out var length) ? bytes[..length] : null;
    }
}
