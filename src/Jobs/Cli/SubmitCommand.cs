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
        var remote = new RemoteOptions();
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
            remote.Url, remote.ApiKey, wait, timeout, poll, maxFid, output, summary,
        };
        foreach (var option in specOptions.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var spec = specOptions.Read(parse);
            RunSpecOptions.ThrowIfInvalid(spec.Validate());
            using var client = remote.CreateClient(parse, Console.WriteLine);
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
