using DigitGan.Web.Services;
using Hangfire.Dashboard;

namespace DigitGan.Web;

/// <summary>
/// The Hangfire dashboard: open in Development; elsewhere HTTP Basic authentication with the API key as the
/// password (any user name), so a browser prompts for it.
/// </summary>
public sealed class DashboardApiKeyAuthorization(bool development, ApiKey key) : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        if (development)
        {
            return true;
        }

        var http = context.GetHttpContext();
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                if (key.Matches(pair[(pair.IndexOf(':', StringComparison.Ordinal) + 1)..]))
                {
                    return true;
                }
            }
            catch (FormatException)
            {
            }
        }

        http.Response.Headers.WWWAuthenticate = "Basic realm=\"DigitGan Hangfire dashboard (password: the API key)\"";
        return false;
    }
}
