using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Imaging;
using DigitGan.Shared.Runs;
using SkiaSharp;
using Xunit;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Tests.Training;

/// <summary>Whole runs on a small MNIST subset: artifacts, determinism, and resume after an interruption.</summary>
public sealed class TrainingRunTests(MnistStoreFixture fixture) : IClassFixture<MnistStoreFixture>
{
    private static readonly RunSpec SmallSpec = new() { Epochs = 3, BatchSize = 64, TrainSubset = 320, CheckpointEvery = 2, Seed = 42 };

    private readonly RunRepository _runs = new(fixture.Store);

    [Fact]
    public async Task A_run_writes_every_artifact_and_they_decode()
    {
        var manifest = await TrainAsync(SmallSpec);
        var id = manifest.RunId;

        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        Assert.Equal(3, manifest.LatestCheckpointEpoch);
        Assert.Equal([2, 3], manifest.CheckpointEpochs);
        Assert.Equal(3, manifest.Progress.Epoch);
        Assert.NotNull(manifest.FinishedAt);

        var records = await ReadMetricsAsync(id);
        Assert.Equal(3 * 5, records.OfType<StepMetrics>().Count()); // 320 images / 64 = 5 steps an epoch
        Assert.Equal([1, 2, 3], records.OfType<EpochMetrics>().Select(e => e.Epoch));
        Assert.All(records.OfType<EpochMetrics>(), e => Assert.True(e.Seconds > 0 && e.ImagesPerSecond > 0 && e.Images == 320));

        for (var epoch = 1; epoch <= 3; epoch++)
        {
            using var grid = SKBitmap.Decode(await ReadAsync(RunArtifactLayout.Sample(id, epoch)));
            Assert.NotNull(grid);
            Assert.Equal((4 * 28 * SampleGridLayout.Scale) + (5 * 2), grid.Width);
        }

        using var codec = SKCodec.Create(new SKMemoryStream(await ReadAsync(RunArtifactLayout.Gif(id))));
        Assert.Equal(3, codec.FrameCount);
        Assert.True(await fixture.Store.ExistsAsync(RunArtifactLayout.Checkpoint(id, 2)));
        Assert.True(await fixture.Store.ExistsAsync(RunArtifactLayout.Checkpoint(id, 3)));
        Assert.False(await fixture.Store.ExistsAsync(RunArtifactLayout.Checkpoint(id, 1)));
        var (header, generator) = Checkpoint.LoadGenerator(await ReadAsync(RunArtifactLayout.LatestCheckpoint(id)), "latest");
        generator.Dispose();
        Assert.Equal((3, id), (header.Epoch, header.RunId));
    }

    [Fact]
    public async Task Same_seed_and_threads_give_identical_metrics_grids_and_weights()
    {
        var a = await TrainAsync(SmallSpec with { Epochs = 2 });
        var b = await TrainAsync(SmallSpec with { Epochs = 2 });
        var c = await TrainAsync(SmallSpec with { Epochs = 2, Seed = 43 });

        Assert.Equal(await StepLossesAsync(a.RunId), await StepLossesAsync(b.RunId));
        Assert.NotEqual(await StepLossesAsync(a.RunId), await StepLossesAsync(c.RunId));
        Assert.Equal(await ReadAsync(RunArtifactLayout.Sample(a.RunId, 2)), await ReadAsync(RunArtifactLayout.Sample(b.RunId, 2)));
        AssertSameWeights(await ReadAsync(RunArtifactLayout.LatestCheckpoint(a.RunId)), await ReadAsync(RunArtifactLayout.LatestCheckpoint(b.RunId)));
    }

    [Theory]
    [InlineData(LearningRateSchedule.Constant)]
    [InlineData(LearningRateSchedule.Linear)]
    public async Task An_interrupted_run_resumes_to_the_same_weights_with_each_epoch_once(LearningRateSchedule schedule)
    {
        var spec = SmallSpec with { LearningRateSchedule = schedule };
        var uninterrupted = await TrainAsync(spec);

        // Interrupt in the middle of epoch 2, after epoch 1's checkpoint.
        var interrupted = await _runs.CreateAsync(spec);
        using var cancel = new CancellationTokenSource();
        var stopper = new RecordingObserver((epoch, step) =>
        {
            if (epoch == 2 && step == 3)
            {
                cancel.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new TrainingRunner(_runs, stopper).RunAsync(interrupted.RunId, CPU, get_num_threads(), cancel.Token));
        var stopped = await _runs.GetAsync(interrupted.RunId);
        Assert.Equal(RunStatus.Cancelled, stopped!.Status);
        Assert.Equal(1, stopped.LatestCheckpointEpoch);
        Assert.Contains("--resume", stopped.Error, StringComparison.Ordinal);

        var resumed = await new TrainingRunner(_runs, new RecordingObserver()).RunAsync(interrupted.RunId, CPU, get_num_threads());

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        var records = await ReadMetricsAsync(interrupted.RunId);
        Assert.Equal([1, 2, 3], records.OfType<EpochMetrics>().Select(e => e.Epoch));
        Assert.Equal(15, records.OfType<StepMetrics>().Count());
        Assert.Equal(await StepLossesAsync(uninterrupted.RunId), await StepLossesAsync(interrupted.RunId));
        AssertSameWeights(await ReadAsync(RunArtifactLayout.LatestCheckpoint(uninterrupted.RunId)), await ReadAsync(RunArtifactLayout.LatestCheckpoint(interrupted.RunId)));
        Assert.Equal(await ReadAsync(RunArtifactLayout.Gif(uninterrupted.RunId)), await ReadAsync(RunArtifactLayout.Gif(interrupted.RunId)));
    }

    [Fact]
    public async Task A_succeeded_run_is_not_trained_again()
    {
        var done = await TrainAsync(SmallSpec with { Epochs = 1 });
        var etag = (await fixture.Store.GetInfoAsync(RunArtifactLayout.LatestCheckpoint(done.RunId)))!.ETag;
        var again = await new TrainingRunner(_runs, new RecordingObserver()).RunAsync(done.RunId, CPU, get_num_threads());
        Assert.Equal(RunStatus.Succeeded, again.Status);
        Assert.Equal(etag, (await fixture.Store.GetInfoAsync(RunArtifactLayout.LatestCheckpoint(done.RunId)))!.ETag);
    }

    [Fact]
    public async Task A_finished_run_leaves_no_lease_lock_file_while_an_unfinished_one_keeps_it()
    {
        var lockFile = (Guid runId) => Path.Combine(fixture.Store.Root, ".locks", FileArtifactStore.LeaseLockName(RunArtifactLayout.Lease(runId)));
        var done = await TrainAsync(SmallSpec with { Epochs = 1 });
        Assert.False(File.Exists(lockFile(done.RunId)), "the lease lock file of a succeeded run is still there");

        var interrupted = await _runs.CreateAsync(SmallSpec with { Epochs = 2 });
        using var cancel = new CancellationTokenSource();
        var stopper = new RecordingObserver((epoch, step) =>
        {
            if (epoch == 2)
            {
                cancel.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new TrainingRunner(_runs, stopper, m => m with { Status = RunStatus.Queued }).RunAsync(interrupted.RunId, CPU, get_num_threads(), cancel.Token));
        Assert.True(File.Exists(lockFile(interrupted.RunId)), "a run that resumes later keeps its lock file");
    }

    [Fact]
    public async Task Damaged_checkpoints_are_rejected_with_a_clear_message()
    {
        var run = await TrainAsync(SmallSpec with { Epochs = 1 });
        var bytes = await ReadAsync(RunArtifactLayout.LatestCheckpoint(run.RunId));
        using var trainer = new DcganTrainer(SmallSpec, CPU);

        var flipped = (byte[])bytes.Clone();
        flipped[bytes.Length / 2] ^= 0x40;
        Assert.Contains("damaged or truncated", Assert.Throws<InvalidDataException>(() => Checkpoint.Restore(trainer, flipped, "x.ckpt")).Message, StringComparison.Ordinal);
        Assert.Contains("damaged or truncated", Assert.Throws<InvalidDataException>(() => Checkpoint.Restore(trainer, bytes[..(bytes.Length - 1000)], "x.ckpt")).Message, StringComparison.Ordinal);
        Assert.Contains("not a DigitGan checkpoint", Assert.Throws<InvalidDataException>(() => Checkpoint.LoadGenerator("PK\u0003\u0004 some zip"u8.ToArray(), "x.ckpt")).Message, StringComparison.Ordinal);

        using var otherShape = new DcganTrainer(SmallSpec with { NoiseDim = 64 }, CPU);
        Assert.Contains("noise dimension", Assert.Throws<InvalidDataException>(() => Checkpoint.Restore(otherShape, bytes, "x.ckpt")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_classifier_a_run_trains_and_says_once_that_quality_metrics_are_off()
    {
        var observer = new RecordingObserver();
        var created = await _runs.CreateAsync(SmallSpec with { Epochs = 2 });
        var manifest = await new TrainingRunner(_runs, observer).RunAsync(created.RunId, CPU, get_num_threads());

        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        var message = Assert.Single(observer.Messages, m => m.Contains("Quality metrics", StringComparison.Ordinal));
        Assert.Contains("train-classifier", message, StringComparison.Ordinal);
        Assert.Equal(message, manifest.QualityMetricsOff);
        Assert.Null(manifest.LatestEvaluation);
        Assert.Empty((await ReadMetricsAsync(created.RunId)).OfType<EvaluationMetrics>());
    }

    [Fact]
    public async Task A_non_finite_loss_fails_the_run_at_once_and_keeps_the_last_checkpoint()
    {
        var spec = SmallSpec with { Epochs = 2 };
        var created = await _runs.CreateAsync(spec);
        using var cancel = new CancellationTokenSource();
        var stopper = new RecordingObserver((epoch, step) =>
        {
            if (epoch == 2 && step == 1)
            {
                cancel.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new TrainingRunner(_runs, stopper).RunAsync(created.RunId, CPU, get_num_threads(), cancel.Token));

        // Poison the discriminator in the epoch-1 checkpoint, then resume: the first step's D loss is NaN.
        var latestPath = RunArtifactLayout.LatestCheckpoint(created.RunId);
        using (var trainer = new DcganTrainer(spec, CPU))
        {
            var header = Checkpoint.Restore(trainer, await ReadAsync(latestPath), "latest");
            using (no_grad())
            {
                trainer.Discriminator.parameters().First().fill_(double.NaN);
            }

            await fixture.Store.PutBytesAsync(latestPath, Checkpoint.Serialize(trainer, header));
        }

        var poisoned = await ReadAsync(latestPath);
        var observer = new RecordingObserver();
        await Assert.ThrowsAsync<NonFiniteTrainingException>(() => new TrainingRunner(_runs, observer).RunAsync(created.RunId, CPU, get_num_threads()));

        var failed = (await _runs.GetAsync(created.RunId))!;
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Contains("non-finite at epoch 2, step 1", failed.Error, StringComparison.Ordinal);
        var flag = Assert.Single(failed.HealthFlags);
        Assert.Equal((HealthFlagKind.NonFinite, 2, (long?)6), (flag.Kind, flag.Epoch, flag.GlobalStep)); // 5 steps an epoch
        Assert.Equal([flag], observer.Flags);
        Assert.Equal(poisoned, await ReadAsync(latestPath));
        Assert.Equal(1, failed.LatestCheckpointEpoch);
    }

    [Fact]
    public async Task A_run_whose_lease_is_held_elsewhere_is_not_trained_a_second_time()
    {
        var created = await _runs.CreateAsync(SmallSpec with { Epochs = 1 });
        var otherProcess = new FileArtifactStore(fixture.Store.Root);
        await using (var lease = await otherProcess.TryAcquireLeaseAsync(RunArtifactLayout.Lease(created.RunId)))
        {
            Assert.NotNull(lease);
            await Assert.ThrowsAsync<RunLeasedException>(() => new TrainingRunner(_runs, new RecordingObserver()).RunAsync(created.RunId, CPU, get_num_threads()));
            Assert.Equal(RunStatus.Queued, (await _runs.GetAsync(created.RunId))!.Status);
        }

        var trained = await new TrainingRunner(_runs, new RecordingObserver()).RunAsync(created.RunId, CPU, get_num_threads());
        Assert.Equal(RunStatus.Succeeded, trained.Status);
    }

    [Fact]
    public async Task The_manifest_shows_live_progress_within_an_epoch()
    {
        var created = await _runs.CreateAsync(SmallSpec with { Epochs = 2 });
        var seen = new List<(int Epoch, int Step, int ManifestEpoch, int ManifestStep, double ImagesPerSecond, double? Eta)>();
        var observer = new RecordingObserver((epoch, step) =>
        {
            var progress = _runs.GetAsync(created.RunId).GetAwaiter().GetResult()!.Progress;
            seen.Add((epoch, step, progress.Epoch, progress.Step, progress.ImagesPerSecond, progress.EtaSeconds));
        });
        await new TrainingRunner(_runs, observer) { ProgressInterval = TimeSpan.Zero }.RunAsync(created.RunId, CPU, get_num_threads());

        // Read right after step 3 of epoch 2: the manifest says epoch 1 completed, step 3 of 5 of the current one.
        var mid = seen.Single(s => s.Epoch == 2 && s.Step == 3);
        Assert.Equal((1, 3), (mid.ManifestEpoch, mid.ManifestStep));
        Assert.True(mid.ImagesPerSecond > 0 && mid.Eta > 0, $"{mid}");
        Assert.Equal((2, 5), ((await _runs.GetAsync(created.RunId))!.Progress.Epoch, (await _runs.GetAsync(created.RunId))!.Progress.Step));
    }

    private async Task<RunManifest> TrainAsync(RunSpec spec)
    {
        var manifest = await _runs.CreateAsync(spec);
        return await new TrainingRunner(_runs, new RecordingObserver()).RunAsync(manifest.RunId, CPU, get_num_threads());
    }

    private async Task<byte[]> ReadAsync(string path)
        => await fixture.Store.GetBytesAsync(path) ?? throw new FileNotFoundException(path);

    private async Task<List<MetricsRecord>> ReadMetricsAsync(Guid runId)
    {
        var text = await fixture.Store.GetTextAsync(RunArtifactLayout.Metrics(runId));
        return [.. MetricsLines.Split(text!.Value.Text).Select(l => MetricsLines.Parse(l)!)];
    }

    private async Task<List<(int, int, double, double, double, double)>> StepLossesAsync(Guid runId)
        => [.. (await ReadMetricsAsync(runId)).OfType<StepMetrics>().Select(s => (s.Epoch, s.Step, s.DLoss, s.GLoss, s.DReal, s.DFake))];

    private static void AssertSameWeights(byte[] first, byte[] second)
    {
        using var a = new DcganTrainer(SmallSpec, CPU);
        using var b = new DcganTrainer(SmallSpec with { Seed = 1 }, CPU);
        Checkpoint.Restore(a, first, "first");
        Checkpoint.Restore(b, second, "second");
        var left = a.Generator.state_dict().Concat(a.Discriminator.state_dict()).ToList();
        var right = b.Generator.state_dict().Concat(b.Discriminator.state_dict()).ToList();
        Assert.Equal(left.Select(p => p.Key), right.Select(p => p.Key));
        foreach (var (l, r) in left.Zip(right))
        {
            Assert.True(l.Value.eq(r.Value).all().item<bool>(), $"{l.Key} differs");
        }
    }
}
