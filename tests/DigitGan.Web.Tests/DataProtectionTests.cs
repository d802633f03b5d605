using System.Net;
using DigitGan.Shared.Artifacts;
using DigitGan.Web.Security;
using Microsoft.AspNetCore.Hosting;
using Xunit;

namespace DigitGan.Web.Tests;

/// <summary>Sessions survive a restart and work across replicas: the data-protection keys live in the store, encrypted when a secret is set.</summary>
public sealed class DataProtectionTests
{
    [Fact]
    public async Task A_session_cookie_from_one_app_instance_is_accepted_by_another_on_the_same_store_and_the_keys_are_encrypted()
    {
        using var first = new SecretWebAppFactory();
        using var firstClient = first.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        using var signIn = await SignInForm.PostWithoutCookieJarAsync(firstClient, WebAppFactory.Key);
        var session = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("DigitGan.Session=", StringComparison.Ordinal)).Split(';')[0];

        var keys = Directory.GetFiles(Path.Combine(first.DataFolder, "store", ArtifactStoreXmlRepository.Prefix.TrimEnd('/')));
        Assert.NotEmpty(keys);
        Assert.All(keys, k => Assert.Contains(SecretXmlEncryptor.ElementName, File.ReadAllText(k), StringComparison.Ordinal));
        Assert.All(keys, k => Assert.DoesNotContain("<masterKey", File.ReadAllText(k), StringComparison.Ordinal));

        // A second replica (or the app after a restart) on the same store and secret accepts the cookie.
        using var second = new SecretWebAppFactory(first.DataFolder);
        using var secondClient = second.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/runs/new");
        request.Headers.Add("Cookie", session);
        using var response = await secondClient.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Start run", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private sealed class SecretWebAppFactory(string? dataFolder = null) : WebAppFactory
    {
        protected override void Configure(IWebHostBuilder builder)
        {
            builder.UseSetting("DigitGan:Auth:AnonymousRead", "false");
            builder.UseSetting("DigitGan:Auth:DataProtectionSecret", "a-secret-from-key-vault");
            if (dataFolder is not null)
            {
                builder.UseSetting("DigitGan:DataFolder", dataFolder);
            }
        }
    }
}
