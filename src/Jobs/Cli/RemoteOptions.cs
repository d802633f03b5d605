using System.CommandLine;
using DigitGan.Jobs.Remote;

namespace DigitGan.Jobs.Cli;

/// <summary>--url and --api-key, shared by the verbs that talk to a DigitGan web app over its REST API.</summary>
internal sealed class RemoteOptions
{
    public Option<string?> Url { get; } = new("--url") { Description = "Base URL of the DigitGan web app (default: $DIGITGAN_URL), e.g. https://digitgan.example.org." };

    public Option<string?> ApiKey { get; } = new("--api-key") { Description = "The API key (default: $DIGITGAN_API_KEY)." };

    public IEnumerable<Option> All => [Url, ApiKey];

    /// <summary>A client of the app that the options (or their environment variables) name; a usage error when one is missing.</summary>
    public RunsApiClient CreateClient(ParseResult parse, Action<string> log)
    {
        var baseUrl = parse.GetValue(Url) ?? Environment.GetEnvironmentVariable("DIGITGAN_URL");
        if (!Uri.TryCreate(baseUrl?.TrimEnd('/') + "/", UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
        {
            throw new DigitGanCli.UsageException($"--url must be the web app's http(s) address, e.g. http://localhost:5080 (got '{baseUrl ?? ""}'; or set DIGITGAN_URL).");
        }

        var key = parse.GetValue(ApiKey) ?? Environment.GetEnvironmentVariable("DIGITGAN_API_KEY");
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new DigitGanCli.UsageException("Pass the API key with --api-key or DIGITGAN_API_KEY (the web app prints it at start; it is kept in its data folder's api-key file).");
        }

        return new RunsApiClient(baseUri, key, log, parse.InvocationConfiguration.Error);
    }
}
