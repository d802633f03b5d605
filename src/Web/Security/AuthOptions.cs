namespace DigitGan.Web.Security;

/// <summary>The "DigitGan:Auth" section: who may read and who may change runs.</summary>
public sealed class AuthOptions
{
    /// <summary>Visitors who are not signed in can browse runs (on for the embedded default; the Azure deployment turns it off).</summary>
    public bool AnonymousRead { get; set; } = true;

    /// <summary>How long a sign-in lasts without activity (sliding).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Sign-in with an OpenID Connect provider (Microsoft Entra ID or any other); off while Authority is empty.</summary>
    public OidcOptions Oidc { get; set; } = new();

    /// <summary>
    /// Encrypts the data-protection keys kept in the store (AES-GCM under a key derived from this secret); on Azure a
    /// Key Vault secret. Empty: the keys are stored unencrypted (the embedded default's data folder is the user's own).
    /// </summary>
    public string? DataProtectionSecret { get; set; }

    /// <summary>Failed sign-ins and wrong API keys a client may make per minute before it gets 429.</summary>
    public int FailedAttemptsPerMinute { get; set; } = 10;
}
