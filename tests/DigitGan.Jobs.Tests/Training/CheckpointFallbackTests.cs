using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using Xunit;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Tests.Training;

/// <summary>A resume uses the newest checkpoint that checks out, says so in the manifest, and names every file when none does.</summary>
public sealed class CheckpointFallbackTests(MnistStoreFixture fixture) : IClassFixture<MnistStoreFixture>
{
    private static readonly RunSpec Spec = new() { Epochs = 4, BatchSize = 64, TrainSubset = 320, CheckpointEvery = 2, EvaluateEvery = 0, Seed = 11 };

    private readonly RunRepository _runs = new(fixture.Store);

    /// <summary>A run interrupted in epoch 4: latest.ckpt holds epoch 3, epoch-0002.ckpt is kept.</summary>
    private async Task<Guid> InterruptedRunAsync()
    {
        var run = await _runs.CreateAsync(Spec);
        using var cancel = new CancellationTokenSource();
        var stopper = new RecordingObserver((epoch, step) =>
        {
            if (epoch == 4 && step == 2)
            {
                cancel.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new TrainingRunner(_runs, stopper).RunAsync(run.RunId, CPU, get_num_threads(), cancel.Token));
        Assert.Equal(3, (await _runs.GetAsync(run.RunId))!.LatestCheckpointEpoch);
        return run.RunId;
    }

    private async Task DamageAsync(string path)
    {
        var bytes = (await fixture.Store.GetBytesAsync(path))!;
        bytes[bytes.Length / 2] ^= 0x20;
        await fixture.Store.PutBytesAsync(path, bytes);
    }

    [Fact]
    public async Task A_damaged_latest_checkpoint_falls_back_to_the_newest_intact_one_and_the_manifest_says_so()
    {
        var runId = await InterruptedRunAsync();
        await DamageAsync(RunArtifactLayout.LatestCheckpoint(runId));

        var observer = new RecordingObserver();
        var resumed = await new TrainingRunner(_runs, observer).RunAsync(runId, CPU, get_num_threads());

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        var fallback = Assert.Single(resumed.CheckpointFallbacks);
        Assert.Contains(RunArtifactLayout.Checkpoint(runId, 2), fallback, StringComparison.Ordinal);
        Assert.Contains("latest.ckpt is damaged or truncated", fallback, StringComparison.Ordinal);
        var text = (await fixture.Store.GetTextAsync(RunArtifactLayout.Metrics(runId)))!.Value.Text;
        var records = MetricsLines.Split(text).Select(l => MetricsLines.Parse(l)!).ToList();
        Assert.Equal([1, 2, 3, 4], records.OfType<EpochMetrics>().Select(e => e.Epoch));
        Assert.Equal(4 * 5, records.OfType<StepMetrics>().Count());
        using var check = new DcganTrainer(Spec, CPU);
        Assert.Equal(4, Checkpoint.Restore(check, (await fixture.Store.GetBytesAsync(RunArtifactLayout.LatestCheckpoint(runId)))!, "latest").Epoch);
    }

    [Fact]
    public async Task When_no_checkpoint_checks_out_the_resume_fails_naming_every_file()
    {
        var runId = await InterruptedRunAsync();
        await DamageAsync(RunArtifactLayout.LatestCheckpoint(runId));
        await DamageAsync(RunArtifactLayout.Checkpoint(runId, 2));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => new TrainingRunner(_runs, new RecordingObserver()).RunAsync(runId, CPU, get_num_threads()));

        Assert.Contains(RunArtifactLayout.LatestCheckpoint(runId), error.Message, StringComparison.Ordinal);
        Assert.Contains(RunArtifactLayout.Checkpoint(runId, 2), error.Message, StringComparison.Ordinal);
        Assert.Contains("No checkpoint", error.Message, StringComparison.Ordinal);
    }
}
