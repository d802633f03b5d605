using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using DigitGan.Testing;

namespace DigitGan.EndToEnd.Tests;

/// <summary>
/// The real OpenID Connect provider of tests/oidc/provider.mjs (npm oidc-provider) on a free port, with its users
/// (alice: operator, bob: viewer) and script clients for bearer tokens.
/// </summary>
public sealed class OidcProvider : IDisposable
{
    public const string ClientId = "digitgan";
    public const string ClientSecret = "digitgan-secret";
    public const string Resource = "api://digitgan";

    private readonly ServiceProcess _process;

    public OidcProvider(string appBaseUrl)
    {
        var script = Path.Combine(RepoPaths.Root, "tests", "oidc", "provider.mjs");
        if (!Directory.Exists(Path.Combine(RepoPaths.Root, ".tools", "oidc-provider", "node_modules", "oidc-provider")))
        {
            throw new InvalidOperationException("oidc-provider is not installed in .tools/oidc-provider: run scripts/test-services.sh (scripts/test.sh does).");
        }

        var start = new ProcessStartInfo("node") { WorkingDirectory = RepoPaths.Root };
        foreach (var argument in new[] { script, Port.ToString(System.Globalization.CultureInfo.InvariantCulture), appBaseUrl })
        {
            start.ArgumentList.Add(argument);
        }

        _process = new ServiceProcess(start);
        Ports.WaitUntilListening(Port, TimeSpan.FromSeconds(30), () => _process.HasExited ? $"oidc-provider exited: {_process.Output}" : null);
    }

    public int Port { get; } = Ports.Free();

    public string Issuer => $"http://127.0.0.1:{Port}";

    /// <summary>The app's settings for this provider.</summary>
    public (string Name, string Value)[] AppSettings =>
    [
        ("DigitGan__Auth__Oidc__Authority", Issuer),
        ("DigitGan__Auth__Oidc__ClientId", ClientId),
        ("DigitGan__Auth__Oidc__ClientSecret", ClientSecret),
        ("DigitGan__Auth__Oidc__Audience", Resource),
        ("DigitGan__Auth__Oidc__RequireHttpsMetadata", "false"),
    ];

    /// <summary>An access token (JWT) of a script client through the client-credentials grant.</summary>
    public async Task<string> TokenAsync(string client)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync($"{Issuer}/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = client,
            ["client_secret"] = $"{client}-secret",
            ["resource"] = Resource,
            ["scope"] = "runs",
        }));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return response.IsSuccessStatusCode ? body.GetProperty("access_token").GetString()! : throw new InvalidOperationException($"token request failed: {body}");
    }

    public void Dispose() => _process.Dispose();
}
