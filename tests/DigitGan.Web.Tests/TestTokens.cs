using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DigitGan.Web.Tests;

/// <summary>Bearer tokens of a test issuer whose signing key the app is told about (the real provider is tested end to end).</summary>
public static class TestTokens
{
    public const string Issuer = "https://issuer.test/";
    public const string Audience = "digitgan";

    public static RsaSecurityKey SigningKey { get; } = new(RSA.Create(2048)) { KeyId = "test-key" };

    /// <summary>A token for <paramref name="user"/> with the given roles; expired or from another issuer/key on request.</summary>
    public static string Create(string user, string[] roles, TimeSpan? lifetime = null, string issuer = Issuer, SecurityKey? key = null)
    {
        var now = DateTime.UtcNow;
        var expires = now + (lifetime ?? TimeSpan.FromMinutes(5));
        var claims = new Dictionary<string, object> { ["sub"] = user, ["roles"] = roles };
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = Audience,
            Claims = claims,
            IssuedAt = expires < now ? expires.AddMinutes(-5) : now,
            NotBefore = expires < now ? expires.AddMinutes(-5) : now,
            Expires = expires,
            SigningCredentials = new SigningCredentials(key ?? SigningKey, SecurityAlgorithms.RsaSha256),
        });
    }

    public static ClaimsPrincipal Principal(string name, params string[] roles) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, name), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "test"));
}
