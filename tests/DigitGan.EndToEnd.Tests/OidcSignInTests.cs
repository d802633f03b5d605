using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using DigitGan.Shared.Runs;
using DigitGan.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;
using Xunit;

namespace DigitGan.EndToEnd.Tests;

/// <summary>
/// Sign-in through a real OpenID Connect provider that the test starts (npm oidc-provider): its users in Chromium,
/// its bearer tokens on the API. Anonymous read is off, as in the Azure deployment.
/// </summary>
public sealed class OidcSignInTests
{
    private static readonly object TinyRun = new { name = "by-oidc", epochs = 1, trainSubset = 512, evaluateEvery = 0 };

    [Fact]
    public async Task A_user_with_the_operator_claim_submits_and_a_user_without_it_can_only_view()
    {
        var appPort = Ports.Free();
        using var provider = new OidcProvider($"http://127.0.0.1:{appPort}");
        using var app = new LocalWorkerApp(appPort, [.. provider.AppSettings, ("DigitGan__Auth__AnonymousRead", "false")]);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = EmbeddedAppFixture.Chromium, Headless = true, Args = EmbeddedAppFixture.ChromiumArgs });

        var alice = await SignInAsync(browser, app, "alice");
        await Assertions.Expect(alice.Locator("[data-testid=user-name]")).ToContainTextAsync("Alice");
        await alice.GotoAsync(app.BaseUrl + "/runs/new");
        await alice.WaitForSelectorAsync("#circuit-live", new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });
        await alice.FillAsync("#name", "by-alice");
        await alice.FillAsync("#epochs", "1");
        await alice.FillAsync("#trainSubset", "512");
        await alice.ClickAsync("[data-testid=submit]");
        await Assertions.Expect(alice).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/runs/[0-9a-f-]{36}$"), new() { Timeout = 30_000 });
        var runId = Guid.Parse(alice.Url[^36..]);
        Assert.Equal("Alice", (await RunsApiClient.GetAsync(app.Client, runId)).CreatedBy);

        var bob = await SignInAsync(browser, app, "bob");
        await Assertions.Expect(bob.Locator("[data-testid=user-name]")).ToContainTextAsync("Bob");
        await bob.GotoAsync(app.BaseUrl + $"/runs/{runId}");
        await bob.WaitForSelectorAsync("#circuit-live", new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });
        await Assertions.Expect(bob.Locator("[data-testid=operator-only]")).ToBeVisibleAsync();
        Assert.Equal(0, await bob.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).CountAsync());
        var refused = await bob.EvaluateAsync<int[]>(@"async (id) => Promise.all([
            fetch('/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'by-bob', epochs: 1 }) }),
            fetch(`/api/runs/${id}`, { method: 'DELETE' }),
        ]).then(rs => rs.map(r => r.status))", runId.ToString());
        Assert.Equal([403, 403], refused);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync($"/api/runs/{runId}")).StatusCode);
    }

    [Fact]
    public async Task The_providers_bearer_tokens_work_on_the_api_and_expired_or_foreign_tokens_get_401()
    {
        var appPort = Ports.Free();
        using var provider = new OidcProvider($"http://127.0.0.1:{appPort}");
        using var app = new LocalWorkerApp(appPort, [.. provider.AppSettings, ("DigitGan__Auth__AnonymousRead", "false")]);
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };

        var submitted = await SendAsync(http, HttpMethod.Post, "/api/runs", await provider.TokenAsync("ops-script"));
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        Assert.Equal("ops-script", (await submitted.Content.ReadFromJsonAsync<RunManifest>(RunsApiClient.Json))!.CreatedBy);

        var viewer = await provider.TokenAsync("viewer-script");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Get, "/api/runs", viewer)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, HttpMethod.Post, "/api/runs", viewer)).StatusCode);

        var shortLived = await provider.TokenAsync("short-script");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Get, "/api/runs", shortLived)).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(2 + 5 + 1)); // its 2 s lifetime plus the 5 s clock skew allowed
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, HttpMethod.Get, "/api/runs", shortLived)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, HttpMethod.Get, "/api/runs", ForeignToken($"http://127.0.0.1:{Ports.Free()}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, HttpMethod.Get, "/api/runs", ForeignToken(provider.Issuer))).StatusCode); // right issuer, wrong key
    }

    /// <summary>Signs in through the provider's login and consent pages; returns the page back on the app, circuit live.</summary>
    private static async Task<IPage> SignInAsync(IBrowser browser, LocalWorkerApp app, string user)
    {
        var page = await (await browser.NewContextAsync()).NewPageAsync();
        await page.GotoAsync(app.BaseUrl + "/runs");
        Assert.Contains("/signin", page.Url, StringComparison.Ordinal);
        await page.ClickAsync("[data-testid=signin-oidc]");
        await page.FillAsync("input[name=login]", user);
        await page.FillAsync("input[name=password]", "any");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign-in" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync(); // the consent page
        try
        {
            // Commit, not load: the provider's pages import a web font that this offline machine cannot fetch.
            await page.WaitForURLAsync(app.BaseUrl + "/runs", new() { Timeout = 30_000, WaitUntil = WaitUntilState.Commit });
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"{user} did not get back to the app: {page.Url}\n{await page.InnerTextAsync("body")}\n{app.Output[^Math.Min(4000, app.Output.Length)..]}");
        }

        await page.WaitForSelectorAsync("#circuit-live", new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });
        return page;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string token)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (method == HttpMethod.Post)
        {
            request.Content = JsonContent.Create(TinyRun);
        }

        return await http.SendAsync(request);
    }

    private static string ForeignToken(string issuer) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = issuer,
        Audience = OidcProvider.Resource,
        Claims = new Dictionary<string, object> { ["sub"] = "mallory", ["roles"] = new[] { "operator" } },
        Expires = DateTime.UtcNow.AddMinutes(5),
        SigningCredentials = new SigningCredentials(new RsaSecurityKey(RSA.Create(2048)), SecurityAlgorithms.RsaSha256),
    });
}
