using System.Security.Claims;
using System.Text.Encodings.Web;
using DigitGan.Web.Services;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace DigitGan.Web.Security;

/// <summary>
/// The API key as an authentication scheme for scripts, CI and the nightly client: a request with the right
/// X-Api-Key is an operator named "api-key"; a wrong key fails (401) and counts against the client's failed attempts.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKey key, FailedAttemptLimiter limiter)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    private const string BlockedItem = "DigitGan.FailedAttemptsExceeded";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(ApiKey.Header, out var given))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (limiter.IsBlocked(Context))
        {
            Context.Items[BlockedItem] = true;
            return Task.FromResult(AuthenticateResult.Fail("Too many wrong API keys from this client."));
        }

        if (!key.Matches(given.ToString()))
        {
            limiter.RecordFailure(Context);
            return Task.FromResult(AuthenticateResult.Fail($"The {ApiKey.Header} header does not match the API key."));
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, DigitGanRoles.ApiKeyUser), new Claim(ClaimTypes.Role, DigitGanRoles.Operator)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items.ContainsKey(BlockedItem))
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            FailedAttemptLimiter.SetRetryAfter(Response);
            await Response.WriteAsJsonAsync(new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = 429, Title = "Too many wrong API keys", Detail = "Wait a minute, then try again with the right key." },
                options: null, contentType: "application/problem+json").ConfigureAwait(false);
            return;
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        await Response.WriteAsJsonAsync(new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = 401,
            Title = "Not signed in",
            Detail = $"The {ApiKey.Header} header does not match the API key (the web app's start message says where it is kept).",
        }, options: null, contentType: "application/problem+json").ConfigureAwait(false);
    }
}
