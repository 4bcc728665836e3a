using System.Globalization;
using System.Security.Claims;
using Claim = System.Security.Claims.Claim;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CourseNotification.Settings;
using CourseNotification.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CourseNotification.Http;

/// <summary>What a course session lets its holder do on that course's pages (the grant's <c>perms</c>).</summary>
public static class CoursePermissions
{
    /// <summary>Read the status grid, the mail previews, the settings.</summary>
    public const string View = "view";

    /// <summary>Change the course's settings.</summary>
    public const string Settings = "settings";

    /// <summary>Send a test mail (to an address the holder types).</summary>
    public const string Test = "test";

    public static IReadOnlyList<string> All { get; } = [View, Settings, Test];
}

/// <summary>
/// A Moodle user's session on one course's pages, opened by a grant from the plugin's block.
/// <paramref name="UserId"/> is the Moodle user id, <paramref name="Name"/> their full name as Moodle shows
/// it, <paramref name="Language"/> their Moodle language (<c>fr</c>, <c>en</c>...) when the grant said.
/// </summary>
public sealed record CourseSession(long CourseId, long UserId, string Name, IReadOnlyList<string> Permissions, string? Language, DateTimeOffset ExpiresAt)
{
    public bool May(string permission) => Permissions.Contains(permission, StringComparer.Ordinal);
}

/// <summary>Who is calling, as the guard found out: read it from any endpoint with the request's context.</summary>
public static class Caller
{
    private const string SessionItem = "CourseNotification.CourseSession";

    /// <summary>The Moodle session this request came with, for the course it is about; null for an administrator.</summary>
    public static CourseSession? CourseSession(this HttpContext context) => context.Items[SessionItem] as CourseSession;

    /// <summary>
    /// Who to record as having made a change: the Moodle user's name and id (<c>Léa Martin (Moodle user 42)</c>),
    /// the App Service signed-in name, or <c>administrator</c> (the service key).
    /// </summary>
    public static string DisplayName(this HttpContext context) =>
        context.CourseSession() is { } session ? $"{session.Name} (Moodle user {session.UserId.ToString(CultureInfo.InvariantCulture)})"
        : context.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name
        : "administrator";

    internal static void Attach(HttpContext context, CourseSession session)
    {
        context.Items[SessionItem] = session;
        context.User = new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, session.UserId.ToString(CultureInfo.InvariantCulture)),
                new Claim(ClaimTypes.Name, session.Name),
                .. session.Permissions.Select(p => new Claim(ClaimTypes.Role, p)),
            ],
            authenticationType: "MoodleGrant", nameType: ClaimTypes.Name, roleType: ClaimTypes.Role));
    }

    /// <summary>An administrator signed in through App Service (its headers, trusted only when sign-in is on).</summary>
    internal static void AttachSignedIn(HttpContext context, string name) =>
        context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], "AppServiceSignIn", ClaimTypes.Name, ClaimTypes.Role));
}

/// <summary>Why a grant opens no session (each said to its holder by <see cref="CoursePageTexts.Refusal"/>).</summary>
public enum GrantRefusal
{
    Missing, Malformed, NoSecret, OtherService, OtherSite, WrongSignature, NotHs256, Invalid, NoTimes, LivesTooLong,
    Expired, FromTheFuture, OtherCourse, NoUser, NoView, NoId, AlreadyUsed,
}

/// <summary>
/// Grants and sessions. A grant is a JWT (HS256, keyed with the bytes of one of the plugin's <c>whsec_</c>
/// secrets) the plugin mints when a teacher follows the block's link: <c>iss</c> the Moodle site,
/// <c>aud</c> <see cref="Audience"/>, <c>course</c>, <c>sub</c> the Moodle user id, <c>name</c>, <c>perms</c>,
/// <c>lang</c>, <c>iat</c>, <c>exp</c> at most <see cref="MaxGrantLifetime"/> later, <c>jti</c> used once.
/// Redeemed, it becomes a session cookie for that course alone (<see cref="CookieName"/>), sealed with
/// AES-GCM under a key derived from the service's own signing key, so nobody can read or forge it.
/// </summary>
public sealed class CourseAccess(
    IOptions<MoodleOptions> moodle, IOptions<AccessOptions> access, SigningKeyStore keys, GrantStore grants, TimeProvider clock, ILogger<CourseAccess> logger)
{
    public const string Audience = "coursenotification";

    /// <summary>A grant living longer than this is refused: a link leaked from a page or a log stays useless.</summary>
    public static readonly TimeSpan MaxGrantLifetime = TimeSpan.FromMinutes(10);

    /// <summary>Clocks of Moodle and the service may disagree this much.</summary>
    public static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);

    private const int MaxGrantLength = 4096;
    private static readonly JsonWebTokenHandler Handler = new();
    private Task<byte[]>? _sealKey;

    /// <summary>The cookie of a course's session: one per course, so one course's session never reads as another's.</summary>
    public static string CookieName(long courseId) => "cn-course-" + courseId.ToString(CultureInfo.InvariantCulture);

    public TimeSpan SessionLifetime => TimeSpan.FromMinutes(access.Value.SessionMinutes);

    /// <summary>The session a grant opens on that course, or why not (<see cref="CoursePageTexts.Refusal"/> says it to the person holding the link).</summary>
    public async Task<(CourseSession? Session, GrantRefusal? Refusal)> RedeemAsync(string? grant, long courseId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(grant))
        {
            return (null, GrantRefusal.Missing);
        }
        if (grant.Length > MaxGrantLength)
        {
            return (null, GrantRefusal.Malformed);
        }
        var secrets = moodle.Value.SecretKeys;
        if (secrets.Count == 0)
        {
            return (null, GrantRefusal.NoSecret);
        }
        var issuer = moodle.Value.Url.TrimEnd('/');
        var result = await Handler.ValidateTokenAsync(grant, new TokenValidationParameters
        {
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            IssuerSigningKeys = [.. secrets.Select(k => new SymmetricSecurityKey(k))],
            ValidateIssuerSigningKey = false,
            RequireSignedTokens = true,
            ValidAudience = Audience,
            ValidateIssuer = issuer.Length > 0,
            ValidIssuers = issuer.Length > 0 ? [issuer, issuer + "/"] : null,
            // Dates are checked below against the service's clock (injected, so tests can move it).
            ValidateLifetime = false,
            RequireExpirationTime = false,
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken token)
        {
            var why = result.Exception switch
            {
                SecurityTokenInvalidAudienceException => GrantRefusal.OtherService,
                SecurityTokenInvalidIssuerException => GrantRefusal.OtherSite,
                SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => GrantRefusal.WrongSignature,
                SecurityTokenInvalidAlgorithmException => GrantRefusal.NotHs256,
                _ => GrantRefusal.Invalid,
            };
            logger.LogInformation("Grant for course {CourseId} refused: {Reason}", courseId, why);
            return (null, why);
        }
        var now = clock.GetUtcNow();
        if (!token.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out var exp) || !token.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out var iat))
        {
            return (null, GrantRefusal.NoTimes);
        }
        var (issued, expires) = (DateTimeOffset.FromUnixTimeSeconds(iat), DateTimeOffset.FromUnixTimeSeconds(exp));
        if (expires - issued > MaxGrantLifetime || expires <= issued)
        {
            return (null, GrantRefusal.LivesTooLong);
        }
        if (now > expires + Skew)
        {
            return (null, GrantRefusal.Expired);
        }
        if (issued > now + Skew)
        {
            return (null, GrantRefusal.FromTheFuture);
        }
        if (!token.TryGetPayloadValue<long>("course", out var grantedCourse) || grantedCourse != courseId)
        {
            return (null, GrantRefusal.OtherCourse);
        }
        if (!long.TryParse(token.Subject, NumberStyles.None, CultureInfo.InvariantCulture, out var userId) || userId <= 0)
        {
            return (null, GrantRefusal.NoUser);
        }
        var permissions = token.TryGetPayloadValue<string[]>("perms", out var perms) ? perms.Where(p => CoursePermissions.All.Contains(p)).Distinct().ToArray() : [];
        if (!permissions.Contains(CoursePermissions.View))
        {
            return (null, GrantRefusal.NoView);
        }
        if (token.Id is not { Length: > 0 and <= 128 } jti)
        {
            return (null, GrantRefusal.NoId);
        }
        if (!await grants.TryUseAsync(jti, expires, cancellationToken))
        {
            logger.LogWarning("Grant for course {CourseId} and Moodle user {UserId} used again", courseId, userId);
            return (null, GrantRefusal.AlreadyUsed);
        }
        var name = token.TryGetPayloadValue<string>("name", out var n) && n.Trim() is { Length: > 0 } trimmed ? trimmed[..Math.Min(trimmed.Length, 200)] : $"Moodle user {userId}";
        var language = token.TryGetPayloadValue<string>("lang", out var l) && l is { Length: > 0 and <= 20 } ? l : null;
        logger.LogInformation("Grant redeemed for course {CourseId} by Moodle user {UserId}", courseId, userId);
        return (new CourseSession(courseId, userId, name, permissions, language, now + SessionLifetime), null);
    }

    /// <summary>The cookie's value: the session sealed (AES-GCM, the cookie's name as associated data).</summary>
    public async Task<string> SealAsync(CourseSession session, CancellationToken cancellationToken)
    {
        var plain = JsonSerializer.SerializeToUtf8Bytes(new Sealed(session.CourseId, session.UserId, session.Name, [.. session.Permissions], session.Language, session.ExpiresAt.ToUnixTimeSeconds()));
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var cipher = new byte[plain.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using var aes = new AesGcm(await SealKeyAsync(cancellationToken), tag.Length);
        aes.Encrypt(nonce, plain, cipher, tag, Encoding.ASCII.GetBytes(CookieName(session.CourseId)));
        return Base64UrlEncoder.Encode([.. nonce, .. cipher, .. tag]);
    }

    /// <summary>The session a cookie holds for that course, or null (forged, for another course, expired).</summary>
    public async Task<CourseSession?> OpenAsync(string? cookie, long courseId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(cookie) || cookie.Length > 4096)
        {
            return null;
        }
        byte[] bytes;
        try
        {
            bytes = Base64UrlEncoder.DecodeBytes(cookie);
        }
        catch (FormatException)
        {
            return null;
        }
        var (nonceSize, tagSize) = (AesGcm.NonceByteSizes.MaxSize, AesGcm.TagByteSizes.MaxSize);
        if (bytes.Length <= nonceSize + tagSize)
        {
            return null;
        }
        var plain = new byte[bytes.Length - nonceSize - tagSize];
        try
        {
            using var aes = new AesGcm(await SealKeyAsync(cancellationToken), tagSize);
            aes.Decrypt(bytes.AsSpan(0, nonceSize), bytes.AsSpan(nonceSize, plain.Length), bytes.AsSpan(bytes.Length - tagSize), plain, Encoding.ASCII.GetBytes(CookieName(courseId)));
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        var sealedSession = JsonSerializer.Deserialize<Sealed>(plain)!;
        var expires = DateTimeOffset.FromUnixTimeSeconds(sealedSession.E);
        return sealedSession.C != courseId || clock.GetUtcNow() >= expires ? null
            : new CourseSession(sealedSession.C, sealedSession.U, sealedSession.N, sealedSession.P, sealedSession.L, expires);
    }

    /// <summary>A key of its own for sessions, derived from the service's signing key (kept in storage, never in settings).</summary>
    private Task<byte[]> SealKeyAsync(CancellationToken cancellationToken)
    {
        var key = _sealKey;
        if (key is null || key.IsFaulted || key.IsCanceled)
        {
            _sealKey = key = DeriveAsync();
        }
        return key.WaitAsync(cancellationToken);

        async Task<byte[]> DeriveAsync() =>
            HKDF.DeriveKey(HashAlgorithmName.SHA256, await keys.GetAsync(CancellationToken.None), 32, info: "course-session-v1"u8.ToArray());
    }

    private sealed record Sealed(long C, long U, string N, string[] P, string? L, long E);
}
