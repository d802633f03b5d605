namespace DigitGan.Infra.Tests;

/// <summary>The environment variables the parameter files read, as the deploy workflow sets them (with stand-in values).</summary>
internal static class DeployEnvironment
{
    public static IReadOnlyDictionary<string, string?> Variables { get; } = new Dictionary<string, string?>
    {
        ["DIGITGAN_WEB_IMAGE"] = "ghcr.io/owner/digitgan-web:0123abc",
        ["DIGITGAN_WORKER_IMAGE"] = "ghcr.io/owner/digitgan-worker-cuda:0123abc",
        ["DIGITGAN_REGISTRY_USERNAME"] = "owner",
        ["DIGITGAN_REGISTRY_PASSWORD"] = "stand-in-registry-token",
        ["DIGITGAN_API_KEY"] = "stand-in-api-key-0123456789",
        ["DIGITGAN_POSTGRES_PASSWORD"] = "stand-in-postgres-password-0123",
        ["DIGITGAN_OIDC_AUTHORITY"] = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0",
        ["DIGITGAN_OIDC_CLIENT_ID"] = "11111111-1111-1111-1111-111111111111",
        ["DIGITGAN_OIDC_CLIENT_SECRET"] = "stand-in-client-secret",
        ["DIGITGAN_DATA_PROTECTION_SECRET"] = "stand-in-data-protection-secret-0123456789",
    };

    /// <summary>The same variables, all unset.</summary>
    public static IReadOnlyDictionary<string, string?> Unset { get; } = Variables.ToDictionary(v => v.Key, _ => (string?)null);
}
