namespace DigitGan.Web.Security;

/// <summary>The "DigitGan:Auth:Oidc" section: an OpenID Connect provider for the pages and its bearer tokens for the API.</summary>
public sealed class OidcOptions
{
    /// <summary>The issuer, e.g. https://login.microsoftonline.com/TENANT/v2.0; empty turns OpenID Connect off.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    /// <summary>The client secret (from Key Vault on Azure); never logged.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The audience bearer tokens must carry (default: the client id).</summary>
    public string? Audience { get; set; }

    /// <summary>The claim that holds roles or groups (Entra ID app roles: "roles"; groups: "groups").</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>The value of <see cref="RoleClaim"/> that makes a user an operator (an app role name or a group id).</summary>
    public string OperatorValue { get; set; } = "operator";

    /// <summary>Require HTTPS metadata (off only for a local provider in tests).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool IsEnabled => !string.IsNullOrWhiteSpace(Authority);
}
