using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;

namespace DigitGan.Jobs.Remote;

/// <summary>The runs REST API as the client needs it; HTTP failures become messages that say what to check.</summary>
public sealed class RunsApiClient : IDisposable
{
    private readonly HttpClient http;
    private readonly Action<string> log;

    /// <param name="log">Receives a line per finished epoch while waiting, and one per download.</param>
    /// <param name="retryLog">Receives a line per retried request (transient failures are retried with backoff).</param>
    public RunsApiClient(Uri baseAddress, string apiKey, Action<string> log, TextWriter retryLog)
    {
        http = ResilientHttpClient.Create(baseAddress, apiKey, retryLog);
        this.log = log;
    }

    public Uri BaseAddress => http.BaseAddress!;

    public async Task<RunManifest> SubmitAsync(RunSpec spec, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => http.PostAsJsonAsync("api/runs", spec, ArtifactJson.Options, cancellationToken)).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false);
            var errors = problem.TryGetProperty("errors", out var fields)
                ? fields.EnumerateObject().ToDictionary(f => f.Name, f => f.Value.EnumerateArray().Select(m => m.GetString() ?? "").ToArray())
                : new Dictionary<string, string[]> { ["spec"] = [problem.GetRawText()] };
            if (errors.Count > 0)
            {
                throw new RunSpecException(errors);
            }
        }

        await EnsureSuccessAsync(response, "submitting the run").ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync<RunManifest>(ArtifactJson.Options, cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Polls the run until it ends; null when the timeout passes first. Logs a line per finished epoch.</summary>
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
                log($"[{clock.Elapsed:hh\\:mm\\:ss}] {run.Status}, epoch {run.Progress.Epoch}/{run.Progress.TotalEpochs}{losses}{fid}");
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
                log($"Not downloaded: {file} (the run has none).");
                continue;
            }

            await EnsureSuccessAsync(response, $"downloading {file}").ConfigureAwait(false);
            await File.WriteAllBytesAsync(Path.Combine(folder, file), await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            log($"Downloaded {Path.Combine(folder, file)}");
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
            ? new ApiKeyRejectedException($"The web app refused the API key while {what} (401). Pass the key it printed at start with --api-key or DIGITGAN_API_KEY.")
            : new InvalidDataException($"The web app answered {(int)response.StatusCode} {response.ReasonPhrase} while {what}: {body[..Math.Min(body.Length, 500)]}");
    }

    public void Dispose() => http.Dispose();
}
