using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DigitGan.Jobs.Client;
using DigitGan.Shared.Artifacts;
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

            using var http = ResilientHttpClient.Create(baseUri, key, parse.InvocationConfiguration.Error);
            var client = new RunsClient(http);
            var manifest = await client.SubmitAsync(spec, cancellationToken).ConfigureAwait(false);
            var link = new Uri(baseUri, $"runs/{manifest.RunId}");
            Console.WriteLine($"Submitted run {manifest.RunId} ({manifest.Spec.Name}): {manifest.Spec.Epochs} epochs, tags {string.Join(", ", manifest.Spec.Tags)}.");
            Console.WriteLine($"Run page: {link}");
            if (!parse.GetValue(wait))
            {
                return 0;
            }

            var clock = Stopwatch.StartNew();
            var final = await client.WaitAsync(manifest.RunId, TimeSpan.FromMinutes(parse.GetValue(timeout)), TimeSpan.FromSeconds(parse.GetValue(poll)), cancellationToken).ConfigureAwait(false);
            var verdict = Verdict(final, parse.GetValue(maxFid));
            if (parse.GetValue(output) is { } folder && final is not null)
            {
                await client.DownloadAsync(final, folder, cancellationToken).ConfigureAwait(false);
            }

            if (parse.GetValue(summary) is { } summaryFile)
            {
                await File.AppendAllTextAsync(summaryFile, Summary(manifest, final, link, clock.Elapsed, parse.GetValue(maxFid), verdict), cancellationToken).ConfigureAwait(false);
            }

            Console.WriteLine(verdict ?? $"Run {manifest.RunId} succeeded.");
            return verdict is null ? 0 : DigitGanCli.Failure;
        });
        return command;
    }

    /// <summary>Why the run does not pass (null when it does).</summary>
    internal static string? Verdict(RunManifest? run, double? maxFid) => run switch
    {
        null => "The run did not finish before the timeout; it goes on (cancel it on its page if it should not).",
        { Status: not RunStatus.Succeeded } => $"The run ended {run.Status}: {run.Error ?? "no error text"}",
        _ when maxFid is { } limit && run.LatestEvaluation is null => $"--max-fid {limit.ToString(CultureInfo.InvariantCulture)} was given but the run has no FID ({run.QualityMetricsOff ?? "no evaluation"}).",
        _ when maxFid is { } limit && run.LatestEvaluation!.Fid > limit => $"The final FID {run.LatestEvaluation.Fid.ToString("0.00", CultureInfo.InvariantCulture)} is worse than the threshold {limit.ToString(CultureInfo.InvariantCulture)}.",
        _ => null,
    };

    internal static string Summary(RunManifest submitted, RunManifest? run, Uri link, TimeSpan waited, double? maxFid, string? verdict)
    {
        string F(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "–";
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## DigitGan run {submitted.Spec.Name}: {(verdict is null ? "passed" : "FAILED")}");
        text.AppendLine();
        text.AppendLine("| | |");
        text.AppendLine("| --- | --- |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| run | [{submitted.RunId}]({link}) |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| status | {run?.Status.ToString() ?? "still running (timeout)"} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| epochs | {run?.Progress.Epoch ?? 0} of {submitted.Spec.Epochs} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| final D / G loss | {F(run?.LatestEpoch?.DLoss, "0.000")} / {F(run?.LatestEpoch?.GLoss, "0.000")} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| final FID (floor) | {F(run?.LatestEvaluation?.Fid, "0.00")} ({F(run?.LatestEvaluation?.FidFloor, "0.00")}){(maxFid is { } m ? $", threshold {m.ToString(CultureInfo.InvariantCulture)}" : "")} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| inception score, classes >= 5% | {F(run?.LatestEvaluation?.InceptionScore, "0.00")}, {run?.LatestEvaluation?.ClassesAtLeast5Percent.ToString(CultureInfo.InvariantCulture) ?? "–"} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| time | {F(run?.TrainingSeconds / 60, "0.0")} min training, {F(run?.EvaluationSeconds / 60, "0.0")} min evaluation, {waited.TotalMinutes.ToString("0.0", CultureInfo.InvariantCulture)} min waited |");
        if (verdict is not null)
        {
            text.AppendLine();
            text.AppendLine(verdict);
        }

        text.AppendLine();
        return text.ToString();
    }

    /// <summary>The runs REST API as the client needs it; HTTP failures become messages that say what to check.</summary>
    private sealed class RunsClient(HttpClient http)
    {
        public async Task<RunManifest> SubmitAsync(RunSpec spec, CancellationToken cancellationToken)
        {
            using var response = await SendAsync(() => http.PostAsJsonAsync("api/runs", spec, ArtifactJson.Options, cancellationToken)).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false);
                var errors = problem.TryGetProperty("errors", out var fields)
                    ? fields.EnumerateObject().ToDictionary(f => f.Name, f => f.Value.EnumerateArray().Select(m => m.GetString() ?? "").ToArray())
                    : new Dictionary<string, string[]> { ["spec"] = [problem.GetRawText()] };
                RunSpecOptions.ThrowIfInvalid(errors);
            }

            await EnsureSuccessAsync(response, "submitting the run").ConfigureAwait(false);
            return (await response.Content.ReadFromJsonAsync<RunManifest>(ArtifactJson.Options, cancellationToken).ConfigureAwait(false))!;
        }

        /// <summary>Polls the run until it ends; null when the timeout passes first. Prints a line per finished epoch.</summary>
        public async Task<RunManifest?> WaitAsync(Guid runId, TimeSpan timeout, TimeSpan interval, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            var lastEpoch = -1;
            var lastStatus = RunStatus.Queued;
            while (true)
            {
                var run = await GetAsync(runId, cancellationToken).ConfigureAwait(false);
                if (run.Progress.Epoch != lastEpoch || run.Status != lastStatus)
                {
                    (lastEpoch, lastStatus) = (run.Progress.Epoch, run.Status);
                    var fid = run.LatestEvaluation is { } e ? $", FID {e.Fid.ToString("0.0", CultureInfo.InvariantCulture)}" : "";
                    var losses = run.LatestEpoch is { } m ? string.Create(CultureInfo.InvariantCulture, $", D {m.DLoss:0.000} G {m.GLoss:0.000}") : "";
                    Console.WriteLine($"[{clock.Elapsed:hh\\:mm\\:ss}] {run.Status}, epoch {run.Progress.Epoch}/{run.Progress.TotalEpochs}{losses}{fid}");
                }

                if (run.IsFinished)
                {
                    return run;
                }

                if (clock.Elapsed > timeout)
                {
                    return null;
                }

                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            }
        }

        public async Task DownloadAsync(RunManifest run, string folder, CancellationToken cancellationToken)
        {
            Directory.CreateDirectory(folder);
            var files = new List<(string Path, string File)>
            {
                ($"api/runs/{run.RunId}", "manifest.json"),
                ($"api/runs/{run.RunId}/metrics", "metrics.jsonl"),
            };
            if (run.Progress.Epoch > 0)
            {
                files.Add(($"api/runs/{run.RunId}/samples/{run.Progress.Epoch}.png", "final-grid.png"));
            }

            if (run.Status == RunStatus.Succeeded)
            {
                files.Add(($"api/runs/{run.RunId}/gif", "dcgan.gif"));
            }

            foreach (var (path, file) in files)
            {
                using var response = await SendAsync(() => http.GetAsync(path, cancellationToken)).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    Console.WriteLine($"Not downloaded: {file} (the run has none).");
                    continue;
                }

                await EnsureSuccessAsync(response, $"downloading {file}").ConfigureAwait(false);
                await File.WriteAllBytesAsync(Path.Combine(folder, file), await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"Downloaded {Path.Combine(folder, file)}");
            }
        }

        private async Task<RunManifest> GetAsync(Guid runId, CancellationToken cancellationToken)
        {
            using var response = await SendAsync(() => http.GetAsync($"api/runs/{runId}", cancellationToken)).ConfigureAwait(false);
            await EnsureSuccessAsync(response, "reading the run").ConfigureAwait(false);
            return (await response.Content.ReadFromJsonAsync<RunManifest>(ArtifactJson.Options, cancellationToken).ConfigureAwait(false))!;
        }

        private async Task<HttpResponseMessage> SendAsync(Func<Task<HttpResponseMessage>> send)
        {
            try
            {
                return await send().ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                throw new InvalidDataException($"Cannot reach the DigitGan web app at {http.BaseAddress}: {ex.Message}. Check --url and that the app is running.", ex);
            }
            catch (TaskCanceledException ex) when (ex.InnerException is TimeoutException)
            {
                throw new InvalidDataException($"The DigitGan web app at {http.BaseAddress} did not answer within {http.Timeout.TotalSeconds:0} s.", ex);
            }
        }

        private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what)
        {
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            throw response.StatusCode == HttpStatusCode.Unauthorized
                ? new DigitGanCli.UsageException($"The web app refused the API key while {what} (401). Pass the key it printed at start with --api-key or DIGITGAN_API_KEY.")
                : new InvalidDataException($"The web app answered {(int)response.StatusCode} {response.ReasonPhrase} while {what}: {body[..Math.Min(body.Length, 500)]}");
        }
    }
}
