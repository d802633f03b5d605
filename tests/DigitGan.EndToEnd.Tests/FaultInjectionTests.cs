using System.Diagnostics;
using System.Text.Json;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using DigitGan.Testing;
using Xunit;

namespace DigitGan.EndToEnd.Tests;

/// <summary>
/// Process-level faults on the real services: the queue's PostgreSQL restarts under a training worker, and the web
/// app and its worker are killed with SIGKILL at random points of 20 short runs. Tiny runs: a few steps of 32 images an epoch.
/// </summary>
public sealed class FaultInjectionTests
{
    private const string WebDll = "src/Web/bin/Release/net10.0/DigitGan.Web.dll";
    private const string JobsDll = "src/Jobs/bin/Release/net10.0/DigitGan.Jobs.dll";
    private const string Key = "fault-key";

    [Fact]
    public async Task PostgreSQL_restarted_while_a_run_trains_the_worker_reconnects_and_the_run_is_trained_once()
    {
        using var postgres = new PostgresServer();
        var data = Directory.CreateTempSubdirectory("digitgan-pg-restart-").FullName;
        try
        {
            (string, string)[] settings =
            [
                ("DigitGan__Queue__Kind", "PostgreSql"),
                ("DigitGan__Queue__ConnectionString", postgres.ConnectionString),
                ("DIGITGAN_DATA", data),
            ];
            var port = Ports.Free();
            using var web = ServiceProcess.StartDotnet(WebDll, [], [.. settings, ("DigitGan__ApiKey", Key), ("DigitGan__LocalWorker__Enabled", "false"), ("ASPNETCORE_URLS", $"http://127.0.0.1:{port}")]);
            Ports.WaitUntilListening(port, TimeSpan.FromSeconds(90), () => web.HasExited ? $"the web app exited: {web.Output}" : null);
            using var worker = ServiceProcess.StartDotnet(JobsDll, ["worker"], settings);
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            client.DefaultRequestHeaders.Add("X-Api-Key", Key);
            string Output() => $"worker:\n{worker.Output}\nweb:\n{web.Output}";

            var run = await RunsApiClient.SubmitAsync(client, new { name = "pg-restart", epochs = 4, batchSize = 32, trainSubset = 320, evaluateEvery = 0, checkpointEvery = 1, seed = 3 });
            await RunsApiClient.WaitAsync(client, run.RunId, m => m.LatestCheckpointEpoch >= 1 && m.Status == RunStatus.Running, TimeSpan.FromMinutes(3), Output);

            postgres.Restart(down: TimeSpan.FromSeconds(3));
            Assert.False(worker.HasExited, Output());

            var done = await RunsApiClient.WaitAsync(client, run.RunId, m => m.IsFinished, TimeSpan.FromMinutes(3), Output);
            Assert.True(done.Status == RunStatus.Succeeded, $"{done.Status}: {done.Error}\n{Output()}");
            Assert.Equal(Enumerable.Range(1, 4), await EpochsAsync(client, run.RunId));

            // The worker serves the queue again: a run submitted after the restart is picked up and trained.
            var next = await RunsApiClient.SubmitAsync(client, new { name = "after-restart", epochs = 1, batchSize = 32, trainSubset = 64, evaluateEvery = 0, seed = 4 });
            var nextDone = await RunsApiClient.WaitAsync(client, next.RunId, m => m.IsFinished, TimeSpan.FromMinutes(3), Output);
            Assert.True(nextDone.Status == RunStatus.Succeeded, $"{nextDone.Status}: {nextDone.Error}\n{Output()}");

            Assert.Equal(1, Count(worker.Output, $"Training run {run.RunId}"));
            Assert.Equal(1, Count(worker.Output, $"Training run {next.RunId}"));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task The_web_app_and_the_worker_killed_at_random_points_of_20_short_runs_leave_every_run_finished_once_and_the_index_in_step()
    {
        using var app = new LocalWorkerApp(("DigitGan__Limits__SubmitBurst", "1000"));
        var random = new Random(20);
        var runs = new List<Guid>();
        var kills = new List<string>();
        for (var burst = 0; burst < 4; burst++)
        {
            for (var i = 0; i < 5; i++)
            {
                runs.Add((await app.SubmitAsync(new { name = $"kill-{runs.Count}", epochs = 2, batchSize = 32, trainSubset = 96, evaluateEvery = 0, checkpointEvery = 1, seed = runs.Count })).RunId);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(500, 4000)));
            if (random.Next(2) == 0 && app.WorkerProcessId() is { } worker)
            {
                Signals.Send(worker, Signals.Kill);
                kills.Add("worker");
                await app.WaitForWorkerAsync(other: worker, TimeSpan.FromSeconds(30));
            }
            else
            {
                app.KillWebOnly();
                Assert.True(app.Web.WaitForExit(TimeSpan.FromSeconds(10)));
                kills.Add("web");
                app.Start();
            }
        }

        var clock = Stopwatch.StartNew();
        var finished = new List<RunManifest>();
        foreach (var runId in runs)
        {
            finished.Add(await app.WaitAsync(runId, m => m.IsFinished, TimeSpan.FromMinutes(4) - clock.Elapsed));
        }

        var summary = $"kills: {string.Join(", ", kills)}\n{app.Output}";
        foreach (var run in finished)
        {
            // Finished, or cleanly failed with the reason; never left half-written.
            Assert.True(run.Status == RunStatus.Succeeded || (run.Status == RunStatus.Failed && !string.IsNullOrWhiteSpace(run.Error)), $"{run.Spec.Name}: {run.Status}: {run.Error}\n{summary}");
            if (run.Status == RunStatus.Succeeded)
            {
                Assert.Equal(new[] { 1, 2 }, await app.EpochsAsync(run.RunId));
            }

            var steps = RunHistory.Parse(await app.Client.GetStringAsync($"/api/runs/{run.RunId}/metrics")).Steps.Select(s => s.GlobalStep).ToList();
            Assert.Equal(steps.Distinct().Order(), steps);
        }

        // The index lists exactly what the manifests say.
        var store = new FileArtifactStore(Path.Combine(app.DataFolder, "store"));
        var index = (await store.GetJsonAsync<RunIndex>(RunArtifactLayout.RunIndex))!.Value.Value.Runs;
        Assert.Equal(runs.Order(), index.Select(r => r.RunId).Order());
        foreach (var listed in index)
        {
            var manifest = (await store.GetJsonAsync<RunManifest>(RunArtifactLayout.Manifest(listed.RunId)))!.Value.Value;
            Assert.Equal(JsonSerializer.Serialize(RunSummary.From(manifest), ArtifactJson.Options), JsonSerializer.Serialize(listed, ArtifactJson.Options));
        }
    }

    private static async Task<int[]> EpochsAsync(HttpClient client, Guid runId) =>
        [.. RunHistory.Parse(await client.GetStringAsync($"/api/runs/{runId}/metrics")).Epochs.Select(e => e.Epoch)];

    private static int Count(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;
}
