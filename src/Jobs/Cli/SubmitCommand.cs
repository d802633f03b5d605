using System.CommandLine;
using DigitGan.Jobs.Remote;
using DigitGan.Shared.Runs;

namespace DigitGan.Jobs.Cli;

/// <summary>
/// `submit`: the REST client the nightly workflow runs. Submits a run to a DigitGan web app (POST /api/runs with the
/// API key), and with --wait follows it to the end, downloads the final grid and the GIF, writes a Markdown summary
/// and exits non-zero when the run did not succeed or its FID is worse than --max-fid.
/// </summary>
public static class SubmitCommand
{
    public static Command Create()
    {
        var specOptions = new RunSpecOptions();
        var url = new Option<string?>("--url") { Description = "Base URL of the DigitGan web app (default: $DIGITGAN_URL), e.g. https://digitgan.example.org." };
        var apiKey = new Option<string?>("--api-key") { Description = "The API key (default: $DIGITGAN_API_KEY)." };
        var wait = new Option<bool>("--wait") { Description = "Wait until the run ends; exit 0 only if it succeeded (and met --max-fid)." };
        var timeout = DigitGanCli.Option("--timeout-minutes", "With --wait: give up waiting after this many minutes (the run goes on).", 360);
        timeout.Positive(7 * 24 * 60);
        var poll = DigitGanCli.Option("--poll-seconds", "With --wait: seconds between status checks.", 10);
        poll.Positive(3600);
        var maxFid = new Option<double?>("--max-fid") { Description = "With --wait: fail when the final FID is above this." };
        var output = new Option<string?>("--out") { Description = "With --wait: folder for final-grid.png, dcgan.gif, manifest.json and metrics.jsonl." };
        var summary = new Option<string?>("--summary") { Description = "With --wait: append a Markdown summary to this file (e.g. $GITHUB_STEP_SUMMARY)." };

        var command = new Command("submit", "Submit a run to a DigitGan web app through its REST API (and with --wait, follow it to the end).")
        {
            url, apiKey, wait, timeout, poll, maxFid, output, summary,
        };
        foreach (var option in specOptions.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var spec = specOptions.Read(parse);
            RunSpecOptions.ThrowIfInvalid(spec.Validate());
            var baseUrl = parse.GetValue(url) ?? Environment.GetEnvironmentVariable("DIGITGAN_URL");
            if (!Uri.TryCreate(baseUrl?.TrimEnd('/') + "/", UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
            {
                throw new DigitGanCli.UsageException($"--url must be the web app's http(s) address, e.g. http://localhost:5080 (got '{baseUrl ?? ""}'; or set DIGITGAN_URL).");
            }

            var key = parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("DIGITGAN_API_KEY");
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new DigitGanCli.UsageException("Pass the API key with --api-key or DIGITGAN_API_KEY (the web app prints it at start; it is kept in its data folder's api-key file).");
            }

            using var client = new RunsApiClient(baseUri, key, Console.WriteLine, parse.InvocationConfiguration.Error);
            var waitFor = parse.GetValue(wait)
                ? new RunWaitOptions(TimeSpan.FromMinutes(parse.GetValue(timeout)), TimeSpan.FromSeconds(parse.GetValue(poll)), parse.GetValue(maxFid), parse.GetValue(output), parse.GetValue(summary))
                : null;
            try
            {
                return await RunSubmission.SubmitAsync(client, spec, waitFor, Console.WriteLine, cancellationToken).ConfigureAwait(false) is null ? 0 : DigitGanCli.Failure;
            }
            catch (RunSpecException ex)
            {
                // The web app names the spec's fields; the message names the flags instead.
                RunSpecOptions.ThrowIfInvalid(ex.Errors);
                throw;
            }
        });
        return command;
    }
}
