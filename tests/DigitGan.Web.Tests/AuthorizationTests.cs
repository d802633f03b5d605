using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using DigitGan.Shared.Runs;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace DigitGan.Web.Tests;

/// <summary>Who may do what, with anonymous read off and OpenID Connect bearer tokens (the Azure setup).</summary>
public sealed partial class AuthorizationTests(ClosedWebAppFactory factory) : IClassFixture<ClosedWebAppFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] WriteMethods = ["POST", "PUT", "PATCH", "DELETE"];

    [Fact]
    public async Task Every_write_endpoint_refuses_no_credentials_a_wrong_key_and_a_viewer_token()
    {
        using var client = factory.CreateClient(new() { AllowAutoRedirect = false });
        var writes = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? []).Intersect(WriteMethods).Select(m => (Method: m, Route: e.RoutePattern.RawText!)))
            .ToList();
        Assert.True(writes.Count >= 3, $"found only {writes.Count} write endpoints");

        var viewer = TestTokens.Create("vera", []);
        foreach (var (method, route) in writes)
        {
            var url = RoutePattern().Replace(route, m => m.Value.StartsWith("{id", StringComparison.Ordinal) ? Guid.NewGuid().ToString() : "1");
            Assert.Equal((method, route, HttpStatusCode.Unauthorized), (method, route, await SendAsync(client, method, url, null)));
            Assert.Equal((method, route, HttpStatusCode.Unauthorized), (method, route, await SendAsync(client, method, url, r => r.Headers.Add("X-Api-Key", "wrong-key"))));
            Assert.Equal((method, route, HttpStatusCode.Forbidden), (method, route, await SendAsync(client, method, url, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", viewer))));
        }
    }

    [Theory]
    [InlineData("/runs")]
    [InlineData("/runs/new")]
    [InlineData("/compare")]
    [InlineData("/")]
    public async Task With_anonymous_read_off_every_page_sends_the_visitor_to_sign_in(string page)
    {
        using var client = factory.CreateClient(new() { AllowAutoRedirect = false });
        using var response = await client.GetAsync(page, Ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/signin", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/runs")]
    [InlineData("/hangfire")]
    [InlineData("/api/reference")]
    [InlineData("/openapi/v1.json")]
    public async Task With_anonymous_read_off_the_api_the_dashboard_and_the_reference_refuse_anonymous_visitors(string path)
    {
        using var client = factory.CreateClient(new() { AllowAutoRedirect = false });
        using var response = await client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_sign_in_page_and_its_styles_are_open_to_anonymous_visitors()
    {
        using var client = factory.CreateClient(new() { AllowAutoRedirect = false });
        var page = await client.GetStringAsync("/signin", Ct);
        Assert.Contains("__RequestVerificationToken", page, StringComparison.Ordinal);
        Assert.Contains("Sign in with your organisation", page, StringComparison.Ordinal);
        using var css = await client.GetAsync("/_content/MudBlazor/MudBlazor.min.css", Ct);
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
    }

    [Fact]
    public async Task An_operator_token_submits_and_is_recorded_while_expired_and_foreign_tokens_get_401()
    {
        using var client = factory.CreateClient();
        using var submit = new HttpRequestMessage(HttpMethod.Post, "/api/runs") { Content = JsonContent.Create(new { name = "by-token", epochs = 1 }) };
        submit.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Create("olga", ["operator"]));
        using var created = await client.SendAsync(submit, Ct);
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"{created.StatusCode}: {created.Headers.WwwAuthenticate}");
        var run = (await created.Content.ReadFromJsonAsync<RunManifest>(WebAppFactory.Json, Ct))!;
        Assert.Equal("olga", run.CreatedBy);

        var viewer = TestTokens.Create("vera", []);
        Assert.Equal(HttpStatusCode.OK, await SendAsync(client, "GET", "/api/runs", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", viewer)));
        var expired = TestTokens.Create("olga", ["operator"], lifetime: TimeSpan.FromMinutes(-1));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(client, "GET", "/api/runs", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", expired)));
        var foreign = TestTokens.Create("mallory", ["operator"], issuer: "https://elsewhere.test/", key: new Microsoft.IdentityModel.Tokens.RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(client, "GET", "/api/runs", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", foreign)));
    }

    [Fact]
    public async Task Signing_in_with_the_key_gives_an_operator_session_that_sign_out_ends()
    {
        using var client = factory.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        using var signIn = await SignInForm.PostAsync(client, WebAppFactory.Key, "/runs/new");
        Assert.Equal("/runs/new", signIn.Headers.Location?.OriginalString);
        Assert.Contains("HttpOnly", string.Join(';', signIn.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/runs", Ct)).StatusCode);
        using var submit = await client.PostAsJsonAsync("/api/runs", new { name = "by-session", epochs = 1 }, Ct);
        Assert.Equal(HttpStatusCode.Created, submit.StatusCode);
        Assert.Equal("operator (API key)", (await submit.Content.ReadFromJsonAsync<RunManifest>(WebAppFactory.Json, Ct))!.CreatedBy);

        var token = await SignInForm.AntiforgeryTokenAsync(client);
        using var signOut = await client.PostAsync("/auth/signout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }), Ct);
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        using var after = await client.GetAsync("/runs", Ct);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/signin", after.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, string method, string url, Action<HttpRequestMessage>? prepare)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method is "POST" or "PATCH" or "PUT")
        {
            request.Content = JsonContent.Create(new { name = "refused", epochs = 1 });
        }

        prepare?.Invoke(request);
        using var response = await client.SendAsync(request, Ct);
        return response.StatusCode;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\{[^}]+\}")]
    private static partial System.Text.RegularExpressions.Regex RoutePattern();
}
