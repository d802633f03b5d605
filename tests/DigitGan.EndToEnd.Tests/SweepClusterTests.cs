using System.Net.Http.Json;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using DigitGan.Shared.Sweeps;
using DigitGan.Testing;
using Xunit;

namespace DigitGan.EndToEnd.Tests;

/// <summary>
/// A sweep on the distributed setup as real processes: Azurite (blob store), PostgreSQL (the queue), the web app (its
/// coordinator) and two worker processes. A 2x2 grid (learning rate x beta1, one seed) of tiny runs with successive
/// halving (reduction 2, rungs at epochs 1 and 2); the web app is killed with SIGKILL mid-sweep and started again.
/// </summary>
public sealed class SweepClusterTests
{
    private const string WebDll = "src/Web/bin/Release/net10.0/DigitGan.Web.dll";
    private const string JobsDll = "src/Jobs/bin/Release/net10.0/DigitGan.Jobs.dll";
    private const string Key = "sweep-key";
    private const string Container = "digitgan-sweeps";

    [Fact]
    public async Task A_grid_sweep_with_successive_halving_survives_a_killed_web_app_and_trains_each_run_once()
    {
        using var azurite = new AzuriteServer();
        using var postgres = new PostgresServer();
        var data = Directory.CreateTempSubdirectory("digitgan-sweep-cluster-").FullName;
        (string, string)[] settings =
        [
            ("DigitGan__Storage__Kind", "Blob"),
            ("DigitGan__Storage__ConnectionString", azurite.ConnectionString),
            ("DigitGan__Storage__Container", Container),
            ("DigitGan__Queue__Kind", "PostgreSql"),
            ("DigitGan__Queue__ConnectionString", postgres.ConnectionString),
            ("DIGITGAN_DATA", data),
            ("DIGITGAN_CACHE", Environment.GetEnvironmentVariable("DIGITGAN_CACHE") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "digitgan")),
        ];
        var port = Ports.Free();
        (string, string)[] webSettings =
        [
            .. settings, ("DigitGan__ApiKey", Key), ("DigitGan__LocalWorker__Enabled", "false"), ("ASPNETCORE_URLS", $"http://127.0.0.1:{port}"),
            ("DigitGan__Sweeps__PollSeconds", "1"), ("DigitGan__Sweeps__LeaseSeconds", "4"),
        ];
        var webs = new List<ServiceProcess>();
        ServiceProcess StartWeb()
        {
            var web = ServiceProcess.StartDotnet(WebDll, [], webSettings);
            webs.Add(web);
            Ports.WaitUntilListening(port, TimeSpan.FromSeconds(90), () => web.HasExited ? $"the web app exited: {web.Output}" : null);
            return web;
        }

        var web = StartWeb();
        // One thread each: two workers share the machine's cores.
        using var worker1 = ServiceProcess.StartDotnet(JobsDll, ["worker"], [.. settings, ("DOTNET_PROCESSOR_COUNT", "1")]);
        using var worker2 = ServiceProcess.StartDotnet(JobsDll, ["worker"], [.. settings, ("DOTNET_PROCESSOR_COUNT", "1")]);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", Key);
        string Output() => $"worker 1:\n{worker1.Output}\nworker 2:\n{worker2.Output}\nweb:\n{string.Join("\n--- restart ---\n", webs.Select(w => w.Output))}";
        try
        {
            // Tiny runs: 75 steps of 64 digits an epoch (about 15-25 s on one contended core), 100 evaluation digits.
            using var created = await client.PostAsJsonAsync("/api/sweeps", new
            {
                name = "cluster-grid",
                @base = new { epochs = 2, batchSize = 64, trainSubset = 4800, evaluationSamples = 100, checkpointEvery = 1, seed = 3 },
                axes = new object[] { new { field = "learningRate", values = new[] { 1e-4, 1e-3 } }, new { field = "beta1", values = new[] { 0.5, 0.9 } } },
                asha = new { metric = "Fid", reductionFactor = 2, minEpochs = 1 },
            });
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
            var sweep = (await created.Content.ReadFromJsonAsync<SweepManifest>(ArtifactJson.Options))!;
            Assert.Equal([1, 2], AshaScheduler.Rungs(sweep.Spec.Asha!, sweep.Spec.Base.Epochs));

            // Mid-sweep: once the first run has been decided at rung 1, the web app dies without a word.
            await WaitForSweepAsync(client, sweep.SweepId, s => s.Trials.Any(t => t.Rungs.Count > 0), TimeSpan.FromMinutes(4), Output);
            Assert.Equal(SweepStatus.Running, (await GetSweepAsync(client, sweep.SweepId)).Status);
            Signals.Send(web.Id, Signals.Kill);
            Assert.True(web.WaitForExit(TimeSpan.FromSeconds(10)));
            web = StartWeb();

            var done = await WaitForSweepAsync(client, sweep.SweepId, s => s.IsFinished, TimeSpan.FromMinutes(6), Output);
            var context = $"{System.Text.Json.JsonSerializer.Serialize(done, ArtifactJson.Options)}\n{Output()}";
            Assert.True(done.Status == SweepStatus.Finished, context);

            // Exactly the sweep's 4 runs exist: none was submitted twice across the restart.
            var listed = (await client.GetFromJsonAsync<RunPage>($"/api/runs?tag={SweepLayout.Tag(sweep.SweepId)}", RunsApiClient.Json))!;
            Assert.Equal(sweep.Trials.Select(t => t.RunId).Order(), listed.Runs.Select(r => r.RunId).Order());

            // Half stop at rung 1 with the reason; the two that went on train to the end.
            var stopped = done.Trials.Where(t => t.State == SweepTrialState.Stopped).ToList();
            var kept = done.Trials.Where(t => t.State != SweepTrialState.Stopped).ToList();
            Assert.True(stopped.Count == 2, context);
            foreach (var trial in stopped)
            {
                Assert.Equal(1, trial.StoppedAtEpoch);
                var run = await RunsApiClient.GetAsync(client, trial.RunId);
                Assert.True(run.Status == RunStatus.Cancelled, $"{trial.Spec.Name}: {run.Status} {run.Error}\n{context}");
                Assert.Equal("stopped by sweep at epoch 1", run.Error);
                Assert.Equal(new[] { 1 }, await EpochsAsync(client, trial.RunId));
            }

            foreach (var trial in kept)
            {
                Assert.True(Assert.Single(trial.Rungs).Continued, context);
                var run = await RunsApiClient.GetAsync(client, trial.RunId);
                Assert.True(run.Status == RunStatus.Succeeded, $"{trial.Spec.Name}: {run.Status} {run.Error}\n{context}");
                Assert.Equal(new[] { 1, 2 }, await EpochsAsync(client, trial.RunId));
            }

            // No run started twice: each was picked up by one worker once, and its steps are each written once.
            foreach (var trial in done.Trials)
            {
                var steps = RunHistory.Parse(await client.GetStringAsync($"/api/runs/{trial.RunId}/metrics")).Steps.Select(s => s.GlobalStep).ToList();
                Assert.Equal(steps.Distinct().Order(), steps);
                Assert.True(Count(worker1.Output + worker2.Output, $"Training run {trial.RunId}") == 1, $"{trial.RunId}\n{Output()}");
            }

            Assert.True(Count(worker1.Output, "Training run ") >= 1 && Count(worker2.Output, "Training run ") >= 1, "both workers trained runs\n" + Output());
        }
        finally
        {
            foreach (var process in webs)
            {
                process.Dispose();
            }

            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<SweepManifest> GetSweepAsync(HttpClient client, Guid id)
        => (await client.GetFromJsonAsync<SweepManifest>($"/api/sweeps/{id}", ArtifactJson.Options))!;

    private static async Task<SweepManifest> WaitForSweepAsync(HttpClient client, Guid id, Func<SweepManifest, bool> done, TimeSpan timeout, Func<string> context)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        SweepManifest? last = null;
        while (clock.Elapsed < timeout)
        {
            try
            {
                last = await GetSweepAsync(client, id);
                if (done(last))
                {
                    return last;
                }
            }
            catch (HttpRequestException)
            {
                // The web app is starting again.
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"The sweep did not get there within {timeout}: {System.Text.Json.JsonSerializer.Serialize(last, ArtifactJson.Options)}\n{context()}");
    }

    private static async Task<int[]> EpochsAsync(HttpClient client, Guid runId) =>
        [.. RunHistory.Parse(await client.GetStringAsync($"/api/runs/{runId}/metrics")).Epochs.Select(e => e.Epoch)];

    private static int Count(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;
}
