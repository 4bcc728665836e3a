using System.Security.Cryptography;
using CourseNotification.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CourseNotification.Tests.Access;

/// <summary>Grants as the plugin's block mints them (HS256 with the bytes of its whsec_ secret), and the secrets to sign them.</summary>
internal static class Grants
{
    public const string MoodleUrl = "https://moodle.example";

    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string Mint(
        string secret, long course, long user = 42, string name = "Léa Martin", string[]? perms = null, DateTimeOffset? issued = null,
        TimeSpan? lifetime = null, string? jti = null, string issuer = MoodleUrl, string audience = CourseAccess.Audience, string lang = "fr")
    {
        var iat = issued ?? DateTimeOffset.UtcNow;
        var key = new SymmetricSecurityKey(Convert.FromBase64String(secret["whsec_".Length..]));
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = user.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["course"] = course,
                ["name"] = name,
                ["perms"] = perms ?? CoursePermissions.All.ToArray(),
                ["lang"] = lang,
                ["iat"] = iat.ToUnixTimeSeconds(),
                ["exp"] = (iat + (lifetime ?? TimeSpan.FromMinutes(5))).ToUnixTimeSeconds(),
                ["jti"] = jti ?? Guid.NewGuid().ToString("N"),
            },
        });
    }
}
