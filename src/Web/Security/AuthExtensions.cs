using System.Security.Claims;
using DigitGan.Shared.Artifacts;
using DigitGan.Web.Services;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.Tokens;

namespace DigitGan.Web.Security;

/// <summary>
/// One gate for pages, API and dashboard: the API key (X-Api-Key) and the provider's bearer tokens for scripts, a
/// cookie for the pages (signed in with the key or through OpenID Connect), two roles, and the sign-in endpoints.
/// </summary>
public static class AuthExtensions
{
    public const string SelectScheme = "DigitGan";
    public const string OidcScheme = OpenIdConnectDefaults.AuthenticationScheme;
    public const string SignInPath = "/signin";

    public static IServiceCollection AddDigitGanAuth(this IServiceCollection services, AuthOptions auth, IArtifactStore store)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<SignInLinks>();
        services.AddSingleton<FailedAttemptLimiter>();
        services.AddDataProtection().SetApplicationName("DigitGan")
            .AddKeyManagementOptions(keys =>
            {
                keys.XmlRepository = new ArtifactStoreXmlRepository(store);
                if (!string.IsNullOrEmpty(auth.DataProtectionSecret))
                {
                    keys.XmlEncryptor = new SecretXmlEncryptor(auth.DataProtectionSecret);
                }
            });

        var oidc = auth.Oidc;
        var authentication = services.AddAuthentication(SelectScheme)
            .AddPolicyScheme(SelectScheme, "API key, bearer token or cookie", policy => policy.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(ApiKey.Header) ? ApiKeyAuthenticationHandler.SchemeName
                : oidc.IsEnabled && context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? JwtBearerDefaults.AuthenticationScheme
                : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddCookie(cookie =>
            {
                cookie.Cookie.Name = "DigitGan.Session";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax; // Lax, not Strict: the OpenID Connect callback is a cross-site redirect
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; // Secure behind HTTPS
                cookie.ExpireTimeSpan = auth.SessionLifetime;
                cookie.SlidingExpiration = true;
                cookie.LoginPath = SignInPath;
                cookie.AccessDeniedPath = SignInPath;
                cookie.Events.OnRedirectToLogin = context => Refuse(context, StatusCodes.Status401Unauthorized);
                cookie.Events.OnRedirectToAccessDenied = context => Refuse(context, StatusCodes.Status403Forbidden);
            });

        if (oidc.IsEnabled)
        {
            if (string.IsNullOrWhiteSpace(oidc.ClientId))
            {
                throw new Shared.Hosting.DigitGanConfigurationException("DigitGan:Auth:Oidc:Authority is set: also set DigitGan:Auth:Oidc:ClientId (and ClientSecret) of the app registered with that provider.");
            }

            authentication.AddOpenIdConnect(OidcScheme, "OpenID Connect", options =>
            {
                options.Authority = oidc.Authority;
                options.ClientId = oidc.ClientId;
                options.ClientSecret = oidc.ClientSecret;
                options.ResponseType = "code";
                options.UsePkce = true;

                // The code comes back on a top-level GET (not a cross-site form post), so the correlation and nonce
                // cookies can be SameSite=Lax and survive plain HTTP too (SameSite=None needs Secure).
                options.ResponseMode = "query";
                options.CorrelationCookie.SameSite = SameSiteMode.Lax;
                options.NonceCookie.SameSite = SameSiteMode.Lax;
                options.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
                options.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.GetClaimsFromUserInfoEndpoint = true;
                options.MapInboundClaims = false;
                options.TokenValidationParameters.NameClaimType = "name";
                options.Scope.Add("profile");
                options.ClaimActions.MapUniqueJsonKey(oidc.RoleClaim, oidc.RoleClaim);
                options.Events.OnTokenValidated = context =>
                {
                    GrantRoles(context.Principal, oidc);
                    return Task.CompletedTask;
                };
                options.Events.OnUserInformationReceived = context =>
                {
                    if (context.User.RootElement.TryGetProperty(oidc.RoleClaim, out var roles) && context.Principal?.Identity is ClaimsIdentity identity)
                    {
                        foreach (var role in roles.ValueKind == System.Text.Json.JsonValueKind.Array ? roles.EnumerateArray().Select(r => r.ToString()) : [roles.ToString()])
                        {
                            identity.AddClaim(new Claim(oidc.RoleClaim, role));
                        }

                        GrantRoles(context.Principal, oidc);
                    }

                    return Task.CompletedTask;
                };
            });
            authentication.AddJwtBearer(JwtBearerDefaults.AuthenticationScheme, options =>
            {
                options.Authority = oidc.Authority;
                options.Audience = oidc.Audience ?? oidc.ClientId;
                options.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
                options.MapInboundClaims = false;
                options.TokenValidationParameters.NameClaimType = "sub";
                options.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(5);
                options.Events = new JwtBearerEvents
                {
                    OnTokenValidated = context =>
                    {
                        GrantRoles(context.Principal, oidc);
                        return Task.CompletedTask;
                    },
                };
            });
        }

        services.AddAuthorizationBuilder()
            .AddPolicy(DigitGanRoles.ViewerPolicy, policy =>
            {
                if (auth.AnonymousRead)
                {
                    policy.RequireAssertion(_ => true);
                }
                else
                {
                    policy.RequireAuthenticatedUser();
                }
            })
            .AddPolicy(DigitGanRoles.OperatorPolicy, policy => policy.RequireRole(DigitGanRoles.Operator))
            .SetFallbackPolicy(auth.AnonymousRead ? null : new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        services.AddCascadingAuthenticationState();
        return services;
    }

    /// <summary>Sign-in with the key (the form), the one-time link, OpenID Connect, and sign-out.</summary>
    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/auth").AllowAnonymous().ExcludeFromDescription();
        auth.MapPost("/signin", SignInWithKey);
        auth.MapGet("/link", SignInWithLink);
        auth.MapGet("/login", (string? returnUrl) => TypedResults.Challenge(new AuthenticationProperties { RedirectUri = LocalReturnUrl(returnUrl) }, [OidcScheme]));
        auth.MapPost("/signout", (Delegate)SignOut);
        return app;
    }

    public static async Task<IResult> SignInWithKey(HttpContext context, [FromForm] string? key, [FromForm] string? returnUrl, ApiKey apiKey, FailedAttemptLimiter limiter)
    {
        if (limiter.IsBlocked(context))
        {
            FailedAttemptLimiter.SetRetryAfter(context.Response);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed sign-ins", detail: "Wait a minute, then try again.");
        }

        if (!apiKey.Matches(key))
        {
            limiter.RecordFailure(context);
            return TypedResults.Redirect($"{SignInPath}?failed=1&returnUrl={Uri.EscapeDataString(LocalReturnUrl(returnUrl))}");
        }

        await SignInOperatorAsync(context, "operator (API key)").ConfigureAwait(false);
        return TypedResults.Redirect(LocalReturnUrl(returnUrl));
    }

    public static async Task<IResult> SignInWithLink(HttpContext context, string? token, SignInLinks links, FailedAttemptLimiter limiter)
    {
        if (limiter.IsBlocked(context) || !links.TryRedeem(token))
        {
            limiter.RecordFailure(context);
            return TypedResults.Redirect($"{SignInPath}?expired=1");
        }

        await SignInOperatorAsync(context, "operator (sign-in link)").ConfigureAwait(false);
        return TypedResults.Redirect("/runs");
    }

    public static async Task<IResult> SignOut(HttpContext context)
    {
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
        return TypedResults.Redirect("/runs");
    }

    /// <summary>Adds the operator role when the provider's role or group claim names it.</summary>
    public static void GrantRoles(ClaimsPrincipal? principal, OidcOptions oidc)
    {
        if (principal?.Identity is ClaimsIdentity identity && principal.Claims.Any(c => c.Type == oidc.RoleClaim && c.Value == oidc.OperatorValue)
            && !principal.IsInRole(DigitGanRoles.Operator))
        {
            identity.AddClaim(new Claim(identity.RoleClaimType, DigitGanRoles.Operator));
        }
    }

    private static Task SignInOperatorAsync(HttpContext context, string name)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, DigitGanRoles.Operator)], CookieAuthenticationDefaults.AuthenticationScheme);
        return context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
    }

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/openapi");

    /// <summary>A page request goes to the sign-in page; a script's request gets the status code and a problem, not a redirect.</summary>
    private static Task Refuse(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (!IsApi(context.Request) && !context.Request.Path.StartsWithSegments("/hangfire"))
        {
            context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        }

        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ProblemDetails
        {
            Status = status,
            Title = status == StatusCodes.Status401Unauthorized ? "Not signed in" : "Operator role required",
            Detail = status == StatusCodes.Status401Unauthorized
                ? $"Sign in first: send the API key in the {ApiKey.Header} header, a bearer token of the configured OpenID Connect provider, or a session cookie from {SignInPath}."
                : "Viewers may read runs; starting, cancelling and deleting them needs the operator role.",
        }, options: null, contentType: "application/problem+json");
    }

    /// <summary>The return URL when it stays on this app (never an open redirect), else /runs.</summary>
    public static string LocalReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal) ? returnUrl : "/runs";
}
