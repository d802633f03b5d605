using System.Diagnostics;
using System.Net;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using DigitGan.Testing;
using Xunit;
using static TorchSharp.torch;

namespace DigitGan.EndToEnd.Tests;

/// <summary>Submit over HTTP, train in a separate worker process, survive a worker crash, cancel: all on real services.</summary>
public sealed class PipelineTests(PipelineFixture pipeline) : IClassFixture<PipelineFixture>
{
    private static object Spec(string name, int epochs, long seed = 11) => new { name, epochs, batchSize = 128, trainSubset = 1024, seed, evaluationSamples = 200, checkpointEvery = 1 };

    [Fact]
    public async Task A_run_submitted_over_http_is_trained_by_a_worker_with_every_artifact_in_the_container()
    {
        using var worker = pipeline.StartWorker();
        var run = await pipeline.SubmitAsync(Spec("e2e", 2));
        var done = await pipeline.WaitAsync(run.RunId, m => m.Status == RunStatus.Succeeded, TimeSpan.FromMinutes(5), worker);

        Assert.Equal(2, done.LatestCheckpointEpoch);
        Assert.NotNull(done.LatestEvaluation);
        var records = await MetricsAsync(run.RunId);
        Assert.Equal([1, 2], records.OfType<EpochMetrics>().Select(e => e.Epoch));
        foreach (var path in new[] { RunArtifactLayout.Sample(run.RunId, 1), RunArtifactLayout.Sample(run.RunId, 2), RunArtifactLayout.Gif(run.RunId), RunArtifactLayout.LatestCheckpoint(run.RunId), RunArtifactLayout.Checkpoint(run.RunId, 2) })
        {
            Assert.True(await pipeline.Store.ExistsAsync(path), $"{path} is missing from the container");
        }

        using var gif = await pipeline.Client.GetAsync($"/api/runs/{run.RunId}/gif");
        Assert.Equal(HttpStatusCode.OK, gif.StatusCode);
    }

    [Fact]
    public async Task A_worker_killed_mid_epoch_is_replaced_and_the_run_ends_as_if_never_interrupted()
    {
        ServiceProcess? worker = pipeline.StartWorker();
        try
        {
            var reference = await pipeline.SubmitAsync(Spec("uninterrupted", 3, seed: 21));
            await pipeline.WaitAsync(reference.RunId, m => m.Status == RunStatus.Succeeded, TimeSpan.FromMinutes(5), worker);

            var run = await pipeline.SubmitAsync(Spec("killed", 3, seed: 21));
            await pipeline.WaitAsync(run.RunId, m => m.LatestCheckpointEpoch >= 1, TimeSpan.FromMinutes(5), worker);
            await Task.Delay(1500); // into epoch 2
            worker.Kill();
            Assert.Equal(RunStatus.Running, (await pipeline.GetAsync(run.RunId)).Status);

            worker.Dispose();
            worker = pipeline.StartWorker();
            var clock = Stopwatch.StartNew();
            var done = await pipeline.WaitAsync(run.RunId, m => m.Status == RunStatus.Succeeded, TimeSpan.FromMinutes(6), worker);
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(4), $"the replacement finished after {clock.Elapsed.TotalSeconds:F0} s");
            Assert.Equal(3, done.LatestCheckpointEpoch);

            var records = await MetricsAsync(run.RunId);
            Assert.Equal([1, 2, 3], records.OfType<EpochMetrics>().Select(e => e.Epoch));
            var expected = (await MetricsAsync(reference.RunId)).OfType<StepMetrics>().Select(s => (s.GlobalStep, s.DLoss, s.GLoss));
            Assert.Equal(expected, records.OfType<StepMetrics>().Select(s => (s.GlobalStep, s.DLoss, s.GLoss)));
            AssertSameWeights(await pipeline.Store.GetBytesAsync(RunArtifactLayout.LatestCheckpoint(reference.RunId)), await pipeline.Store.GetBytesAsync(RunArtifactLayout.LatestCheckpoint(run.RunId)));
        }
        finally
        {
            worker?.Dispose();
        }
    }

    [Fact]
    public async Task A_cancel_stops_a_running_run_within_5_seconds_and_keeps_its_artifacts()
    {
        using var worker = pipeline.StartWorker();
        var run = await pipeline.SubmitAsync(new { name = "cancel-me", epochs = 30, trainSubset = 6000, evaluateEvery = 0 });
        await pipeline.WaitAsync(run.RunId, m => m.LatestCheckpointEpoch >= 1, TimeSpan.FromMinutes(5), worker);
        await Task.Delay(1000);

        var clock = Stopwatch.StartNew();
        using var cancel = await pipeline.Client.PostAsync($"/api/runs/{run.RunId}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var cancelled = await pipeline.WaitAsync(run.RunId, m => m.Status == RunStatus.Cancelled, TimeSpan.FromSeconds(30), worker);
        Assert.True(clock.Elapsed.TotalSeconds < 5, $"cancel took {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(await pipeline.Store.ExistsAsync(RunArtifactLayout.LatestCheckpoint(run.RunId)));
        Assert.True(await pipeline.Store.ExistsAsync(RunArtifactLayout.Sample(run.RunId, cancelled.LatestCheckpointEpoch)));
    }

    private async Task<List<MetricsRecord>> MetricsAsync(Guid runId)
    {
        var text = (await pipeline.Store.GetTextAsync(RunArtifactLayout.Metrics(runId)))!.Value.Text;
        return [.. MetricsLines.Split(text).Select(l => MetricsLines.Parse(l)!)];
    }

    private static void AssertSameWeights(byte[]? first, byte[]? second)
    {
        var spec = new RunSpec();
        using var a = new DcganTrainer(spec, CPU);
        using var b = new DcganTrainer(spec with { Seed = 1 }, CPU);
        Checkpoint.Restore(a, first!, "reference");
        Checkpoint.Restore(b, second!, "resumed");
        foreach (var (l, r) in a.Generator.state_dict().Concat(a.Discriminator.state_dict()).Zip(b.Generator.state_dict().Concat(b.Discriminator.state_dict())))
        {
            Assert.True(l.Value.eq(r.Value).all().item<bool>(), $"{l.Key} differs");
        }
    }
}
