using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace DigitGan.Web.Security;

/// <summary>
/// One-time sign-in links (like Jupyter's ?token= link): the start message prints one, so the first command ends on
/// a page the user can act on. A token signs in once as an operator and expires after <see cref="Lifetime"/>.
/// </summary>
public sealed class SignInLinks(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokens = new();

    public string Create()
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        _tokens[token] = clock.GetUtcNow() + Lifetime;
        return token;
    }

    /// <summary>True once for a token that was issued and has not expired; it cannot be used again.</summary>
    public bool TryRedeem(string? token) =>
        token is { Length: > 0 } && _tokens.TryRemove(token, out var expires) && clock.GetUtcNow() < expires;
}
