using System.Diagnostics;
using System.Net;
using DigitGan.Shared.Runs;
using Xunit;

namespace DigitGan.EndToEnd.Tests;

/// <summary>
/// The embedded default trains in a worker process that the web app starts, restarts and stops: a crash of the
/// worker (kill -9, SIGSEGV) or of the app costs no answer of the pages and the API, no run and no epoch.
/// </summary>
public sealed class LocalWorkerTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);

    [Theory]
    [InlineData("kill-9")]
    [InlineData("native-segfault")]
    public async Task A_worker_that_dies_mid_epoch_is_replaced_while_the_app_keeps_answering_and_the_run_resumes(string crash)
    {
        using var app = new LocalWorkerApp();
        var run = await app.SubmitAsync(LocalWorkerApp.Spec(crash, epochs: 3));
        var probe = new AvailabilityProbe(app.Client, run.RunId);
        await using (probe)
        {
            await app.WaitAsync(run.RunId, m => m.LatestCheckpointEpoch >= 1 && m.Status == RunStatus.Running, RunTimeout);
            await Task.Delay(1500); // into epoch 2
            var worker = app.WorkerProcessId() ?? throw new InvalidOperationException($"no worker process:\n{app.Output}");
            if (crash == "kill-9")
            {
                Signals.Send(worker, Signals.Kill);
            }
            else
            {
                await File.WriteAllTextAsync(app.FaultFile, "");
            }

            var replacement = await app.WaitForWorkerAsync(other: worker, TimeSpan.FromSeconds(30));
            Assert.NotEqual(worker, replacement);
            var done = await app.WaitAsync(run.RunId, m => m.IsFinished, RunTimeout);
            Assert.True(done.Status == RunStatus.Succeeded, $"{done.Status}: {done.Error}\n{app.Output}");
        }

        Assert.True(probe.Failures.Count == 0, $"{probe.Failures.Count} of {probe.Requests} requests failed:\n{string.Join('\n', probe.Failures)}");
        Assert.True(probe.Requests > 30, $"only {probe.Requests} requests were made");
        var epochs = await app.EpochsAsync(run.RunId);
        Assert.Equal([1, 2, 3], epochs);
        Assert.Contains(crash == "kill-9" ? "with 137 (signal 9)" : "with 139 (signal 11)", app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_app_killed_mid_run_and_started_again_continues_the_running_and_the_queued_run_once_each()
    {
        using var app = new LocalWorkerApp();
        var running = await app.SubmitAsync(LocalWorkerApp.Spec("running", epochs: 3, seed: 7));
        var queued = await app.SubmitAsync(LocalWorkerApp.Spec("queued", epochs: 2, seed: 8));
        await app.WaitAsync(running.RunId, m => m.LatestCheckpointEpoch >= 1 && m.Status == RunStatus.Running, RunTimeout);
        await Task.Delay(1500); // into epoch 2
        var orphan = app.WorkerProcessId() ?? throw new InvalidOperationException($"no worker process:\n{app.Output}");

        app.KillWebOnly();
        Assert.True(app.Web.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.True(Process.GetProcessById(orphan).WaitForExit(TimeSpan.FromSeconds(30)), "the orphaned worker did not stop when its app died");
        Assert.Equal(RunStatus.Queued, (await RunOnDiskAsync(app, queued.RunId)).Status);

        app.Start();
        foreach (var (run, epochs) in new[] { (running, 3), (queued, 2) })
        {
            var done = await app.WaitAsync(run.RunId, m => m.IsFinished, RunTimeout);
            Assert.True(done.Status == RunStatus.Succeeded, $"{run.Spec.Name}: {done.Status}: {done.Error}\n{app.Output}");
            Assert.Equal(Enumerable.Range(1, epochs), await app.EpochsAsync(run.RunId));
        }

        // The interrupted run was trained by one worker before and one after the restart; the queued one by one only.
        Assert.Equal(2, Count(app.Output, $"Training run {running.RunId}"));
        Assert.Equal(1, Count(app.Output, $"Training run {queued.RunId}"));
    }

    [Fact]
    public async Task A_cancelled_run_stops_within_5_seconds_and_keeps_its_checkpoints()
    {
        using var app = new LocalWorkerApp();
        var run = await app.SubmitAsync(new { name = "long", epochs = 20, trainSubset = 6_000, evaluateEvery = 0 });
        await app.WaitAsync(run.RunId, m => m.Status == RunStatus.Running, RunTimeout);
        await Task.Delay(TimeSpan.FromSeconds(3)); // into the first epoch's steps

        var clock = Stopwatch.StartNew();
        using var cancel = await app.Client.PostAsync($"/api/runs/{run.RunId}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var cancelled = await app.WaitAsync(run.RunId, m => m.IsFinished, TimeSpan.FromSeconds(30));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"cancel took {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(RunStatus.Cancelled, cancelled.Status);
        Assert.Contains("Cancelled on request", cancelled.Error, StringComparison.Ordinal);
    }

    private static int Count(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;

    private static async Task<RunManifest> RunOnDiskAsync(LocalWorkerApp app, Guid runId)
    {
        var store = new Shared.Artifacts.FileArtifactStore(Path.Combine(app.DataFolder, "store"));
        return await new RunRepository(store).GetAsync(runId) ?? throw new InvalidOperationException($"run {runId} is not in the store");
    }
}
