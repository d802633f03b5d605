using System.Text.Json;
using DigitGan.Shared.Runs;
using DigitGan.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DigitGan.Web.Tests;

/// <summary>
/// The web app on the embedded default in a temp data folder (its SQLite queue there too), with a fixed API key and
/// no local worker: runs stay queued (the end-to-end tests run the app with its worker process).
/// </summary>
public class WebAppFactory : WebApplicationFactory<Program>
{
    public const string Key = "test-api-key";

    private readonly string _dataFolder = Directory.CreateTempSubdirectory("digitgan-web-").FullName;

    protected virtual string Environment => "Development";

    public string DataFolder => _dataFolder;

    public static JsonSerializerOptions Json => RunsApiClient.Json;

    /// <summary>A client that sends the API key.</summary>
    public HttpClient CreateAuthorizedClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", Key);
        return client;
    }

    public Task<RunManifest> SubmitAsync(HttpClient client, object spec) => RunsApiClient.SubmitAsync(client, spec);

    public static Task<RunManifest> GetRunAsync(HttpClient client, Guid id) => RunsApiClient.GetAsync(client, id);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        builder.UseSetting("DigitGan:DataFolder", _dataFolder);
        builder.UseSetting("DigitGan:ApiKey", Key);
        builder.UseSetting("DigitGan:LocalWorker:Enabled", "false");

        // Tests submit in bursts (fifty at once); the limits have their own tests and factory.
        builder.UseSetting("DigitGan:Limits:SubmitBurst", "10000");
        Configure(builder);
    }

    /// <summary>More settings or services of a variant of the app.</summary>
    protected virtual void Configure(IWebHostBuilder builder)
    {
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            try
            {
                Directory.Delete(_dataFolder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

/// <summary>The app outside Development (the Hangfire dashboard needs the key there).</summary>
public sealed class ProductionWebAppFactory : WebAppFactory
{
    protected override string Environment => "Production";
}
