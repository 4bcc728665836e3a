using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CourseNotification.Settings;
using CourseNotification.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CourseNotification.Enrolments;

/// <summary>
/// Learners' opt-out: the signed one-click link every mail carries (<c>/u/{token}</c>, token =
/// learner id + HMAC-SHA256 under the service's own key, 128 bits), and recording the opt-out, which the
/// engine respects in every course.
/// </summary>
public sealed class OptOut(SigningKeyStore keys, LearnerDirectory learners, IOptions<PlatformOptions> platform, ILogger<OptOut> logger)
{
    public async Task<string> LinkAsync(long learnerId, CancellationToken cancellationToken) =>
        $"{platform.Value.PublicUrl.TrimEnd('/')}/u/{await TokenAsync(learnerId, cancellationToken)}";

    /// <summary>The learner a token was made for, or null when it is forged or malformed.</summary>
    public async Task<long?> VerifyAsync(string token, CancellationToken cancellationToken)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !long.TryParse(token.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var learnerId))
        {
            return null;
        }
        var expected = Encoding.ASCII.GetBytes(await TokenAsync(learnerId, cancellationToken));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(token)) ? learnerId : null;
    }

    /// <summary>Records the opt-out (idempotent); returns the learner, or null when unknown (erased).</summary>
    public async Task<Learner?> ApplyAsync(long learnerId, CancellationToken cancellationToken)
    {
        var changed = await learners.UpdateAsync(new LearnerPatch(learnerId) { OptOut = true }, onlyExisting: true, cancellationToken);
        if (changed.After is not { } optedOut)
        {
            return null;
        }
        logger.LogInformation("Learner {LearnerId} opted out of reminders", learnerId);
        return optedOut;
    }

    private async Task<string> TokenAsync(long learnerId, CancellationToken cancellationToken)
    {
        var id = learnerId.ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(await keys.GetAsync(cancellationToken), Encoding.UTF8.GetBytes("unsubscribe:" + id));
        return id + "." + Convert.ToBase64String(mac, 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
