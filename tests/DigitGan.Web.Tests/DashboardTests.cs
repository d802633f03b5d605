using System.Net;
using Xunit;

namespace DigitGan.Web.Tests;

/// <summary>The Hangfire dashboard outside Development.</summary>
public sealed class DashboardTests(ProductionWebAppFactory factory) : IClassFixture<ProductionWebAppFactory>
{
    [Fact]
    public async Task Outside_development_the_hangfire_dashboard_asks_for_the_api_key()
    {
        using var client = factory.CreateClient();
        using var anonymous = await client.GetAsync("/hangfire", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("Basic", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        var request = new HttpRequestMessage(HttpMethod.Get, "/hangfire");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("admin:test-api-key"u8.ToArray()));
        using var authorized = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);
    }
}
