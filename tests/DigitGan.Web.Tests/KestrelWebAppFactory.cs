namespace DigitGan.Web.Tests;

/// <summary>The test app on a real Kestrel port on 127.0.0.1, for clients that open their own connections (the CLI).</summary>
public sealed class KestrelWebAppFactory : WebAppFactory
{
    public KestrelWebAppFactory()
    {
        UseKestrel(0);
    }

    /// <summary>The app's address, e.g. http://127.0.0.1:40123/ (starts the server on first use).</summary>
    public Uri Address
    {
        get
        {
            StartServer();
            using var client = CreateClient();
            return client.BaseAddress!;
        }
    }
}
