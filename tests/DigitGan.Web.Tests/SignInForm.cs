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

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
