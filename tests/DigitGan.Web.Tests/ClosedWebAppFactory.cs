using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace DigitGan.Web.Tests;

/// <summary>
/// The app as the Azure deployment runs it: anonymous read off, OpenID Connect on. Bearer tokens are validated
/// against <see cref="TestTokens"/>' key instead of a provider's published keys.
/// </summary>
public sealed class ClosedWebAppFactory : WebAppFactory
{
    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("DigitGan:Auth:AnonymousRead", "false");
        builder.UseSetting("DigitGan:Auth:Oidc:Authority", TestTokens.Issuer);
        builder.UseSetting("DigitGan:Auth:Oidc:ClientId", TestTokens.Audience);
        builder.UseSetting("DigitGan:Auth:Oidc:ClientSecret", "test-secret");
        builder.ConfigureTestServices(services => services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, bearer =>
        {
            var configuration = new OpenIdConnectConfiguration { Issuer = TestTokens.Issuer };
            configuration.SigningKeys.Add(TestTokens.SigningKey);
            bearer.Configuration = configuration;
            bearer.TokenValidationParameters.ValidIssuer = TestTokens.Issuer;
            bearer.TokenValidationParameters.IssuerSigningKey = TestTokens.SigningKey;
        }));
    }
}
