using System.Text.RegularExpressions;

namespace DigitGan.Web.Tests;

/// <summary>Signs in through the sign-in page's form, antiforgery token included, as a browser does.</summary>
public static partial class SignInForm
{
    public static async Task<string> AntiforgeryTokenAsync(HttpClient client)
    {
        var page = await client.GetStringAsync("/signin");
        return Token().Match(page) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException("the sign-in page has no antiforgery token");
    }

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string key, string returnUrl = "/runs")
    {
        var token = await AntiforgeryTokenAsync(client);
        return await client.PostAsync("/auth/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["key"] = key,
            ["returnUrl"] = returnUrl,
        }));
    }

    /// <summary>The form post for a client without a cookie jar: the antiforgery cookie is carried by hand.</summary>
    public static async Task<HttpResponseMessage> PostWithoutCookieJarAsync(HttpClient client, string key)
    {
        using var page = await client.GetAsync("/signin");
        var cookies = string.Join("; ", page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        var token = Token().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["key"] = key, ["returnUrl"] = "/runs" }),
        };
        request.Headers.Add("Cookie", cookies);
        return await client.SendAsync(request);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
