using System.CommandLine;
using System.Globalization;
using DigitGan.Jobs.Remote;
using DigitGan.Shared.Sweeps;

namespace DigitGan.Jobs.Cli;

/// <summary>
/// `sweep FILE`: creates a sweep on a DigitGan web app (POST /api/sweeps with the API key) from a JSON or YAML file
/// (docs/sweeps.md); the app's coordinator submits its runs. With --wait it follows the sweep to its end.
/// </summary>
public static class SweepCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "The sweep spec: a .json file, or .yaml / .yml (docs/sweeps.md)." };
        var remote = new RemoteOptions();
        var wait = new Option<bool>("--wait") { Description = "Wait until the sweep ends; exit 0 only if at least one run succeeded." };
        var timeout = DigitGanCli.Option("--timeout-minutes", "With --wait: give up waiting after this many minutes (the sweep goes on).", 360);
        timeout.Positive(7 * 24 * 60);
        var poll = DigitGanCli.Option("--poll-seconds", "With --wait: seconds between status checks.", 10);
        poll.Positive(3600);

        var command = new Command("sweep", "Create a hyperparameter sweep on a DigitGan web app from a JSON or YAML file (and with --wait, follow it to the end).")
        {
            file, remote.Url, remote.ApiKey, wait, timeout, poll,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                throw new DigitGanCli.UsageException($"The sweep file {path.FullName} does not exist.");
            }

            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            byte[] json;
            try
            {
                json = SweepFile.ReadAsJson(path.FullName);
            }
            catch (InvalidDataException ex)
            {
                throw new DigitGanCli.UsageException(ex.Message);
            }

            using var client = remote.CreateClient(parse, output.WriteLine);
            SweepManifest sweep;
            try
            {
                sweep = await client.CreateSweepAsync(json, cancellationToken).ConfigureAwait(false);
            }
            catch (SweepSpecException ex)
            {
                foreach (var (field, messages) in ex.Errors)
                {
                    await error.WriteLineAsync($"error: {field}: {string.Join(" ", messages)}").ConfigureAwait(false);
                }

                return DigitGanCli.Failure;
            }

            output.WriteLine($"Sweep {sweep.SweepId} ({sweep.Spec.Name}): {sweep.Trials.Count} runs. {client.BaseAddress}sweeps/{sweep.SweepId}");
            if (!parse.GetValue(wait))
            {
                return 0;
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var last = "";
            while (true)
            {
                sweep = await client.GetSweepAsync(sweep.SweepId, cancellationToken).ConfigureAwait(false);
                var line = Describe(sweep);
                if (line != last)
                {
                    output.WriteLine($"[{clock.Elapsed:hh\\:mm\\:ss}] {line}");
                    last = line;
                }

                if (sweep.IsFinished)
                {
                    return sweep.Trials.Any(t => t.RunStatus == Shared.Runs.RunStatus.Succeeded) ? 0 : DigitGanCli.Failure;
                }

                if (clock.Elapsed > TimeSpan.FromMinutes(parse.GetValue(timeout)))
                {
                    await error.WriteLineAsync($"The sweep did not end within {parse.GetValue(timeout)} minutes; it goes on.").ConfigureAwait(false);
                    return DigitGanCli.Failure;
                }

                await Task.Delay(TimeSpan.FromSeconds(parse.GetValue(poll)), cancellationToken).ConfigureAwait(false);
            }
        });
        return command;
    }

    /// <summary>One line of progress: the sweep's status and its trials by state.</summary>
    public static string Describe(SweepManifest sweep)
    {
        var states = sweep.Trials.GroupBy(t => t.State).OrderBy(g => g.Key).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"));
        return $"{sweep.Status}: {string.Join(", ", states)}";
    }
}
