using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using DigitGan.Shared.Sweeps;

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

    /// <summary>A page of runs as GET /api/runs lists them (newest first); the query's parameters as the API names them.</summary>
    public async Task<RunPage> ListAsync(IEnumerable<KeyValuePair<string, string>> query, CancellationToken cancellationToken)
    {
        var path = "api/runs?" + string.Join('&', query.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        using var response = await SendAsync(() => http.GetAsync(path, cancellationToken)).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            throw new RunSpecException(await ReadErrorsAsync(response, cancellationToken).ConfigureAwait(false));
        }

        await EnsureSuccessAsync(response, "listing runs").ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync<RunPage>(ArtifactJson.Options, cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>The run's manifest; <see cref="RunNotFoundException"/> when the app has no such run.</summary>
    public async Task<RunManifest> GetRunAsync(Guid runId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => http.GetAsync($"api/runs/{runId}", cancellationToken)).ConfigureAwait(false);
        ThrowIfNotFound(response, runId);
        await EnsureSuccessAsync(response, "reading the run").ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync<RunManifest>(ArtifactJson.Options, cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Asks the app to cancel the run (a queued one at once, a running one at its next step); the manifest after the request.</summary>
    public async Task<RunManifest> CancelAsync(Guid runId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => http.PostAsync($"api/runs/{runId}/cancel", null, cancellationToken)).ConfigureAwait(false);
        ThrowIfNotFound(response, runId);
        await EnsureSuccessAsync(response, "cancelling the run").ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync<RunManifest>(ArtifactJson.Options, cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Streams GET <paramref name="path"/> into <paramref name="file"/>; false (and nothing written) on a 404.</summary>
    public async Task<bool> DownloadFileAsync(string path, string file, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken)).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, $"downloading {Path.GetFileName(file)}").ConfigureAwait(false);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        var partial = file + ".part";
        await using (var target = File.Create(partial))
        {
            await response.Content.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
        }

        File.Move(partial, file, overwrite: true);
        return true;
    }

    /// <summary>The manifest, metrics, final grid and GIF (what exists) into <paramref name="folder"/>; the files written.</summary>
    public async Task<IReadOnlyList<string>> DownloadAsync(RunManifest run, string folder, CancellationToken cancellationToken)
    {
        var written = new List<string>();
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
            written.Add(Path.Combine(folder, file));
        }

        return written;
    }

    /// <summary>POST /api/sweeps with a sweep spec in JSON; a 400 becomes <see cref="SweepSpecException"/> with the fields it names.</summary>
    public async Task<SweepManifest> CreateSweepAsync(byte[] json, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() =>
        {
            var content = new ByteArrayContent(json);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return http.PostAsync("api/sweeps", content, cancellationToken);
        }).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            throw new SweepSpecException(await ReadErrorsAsync(response, cancellationToken).ConfigureAwait(false));
        }

        await EnsureSuccessAsync(response, "creating the sweep").ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync<SweepManifest>(ArtifactJson.Options, cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<SweepManifest> GetSweepAsync(Guid sweepId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => http.GetAsync($"api/sweeps/{sweepId}", cancellationToken)).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "reading the sweep").ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync<SweepManifest>(ArtifactJson.Options, cancellationToken).ConfigureAwait(false))!;
    }

    private static void ThrowIfNotFound(HttpResponseMessage response, Guid runId)
    {
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new RunNotFoundException(runId);
        }
    }

    private static async Task<Dictionary<string, string[]>> ReadErrorsAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false);
        return problem.TryGetProperty("errors", out var fields)
            ? fields.EnumerateObject().ToDictionary(f => f.Name, f => f.Value.EnumerateArray().Select(m => m.GetString() ?? "").ToArray())
            : new Dictionary<string, string[]> { ["request"] = [problem.TryGetProperty("detail", out var detail) ? detail.GetString() ?? "" : problem.GetRawText()] };
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
