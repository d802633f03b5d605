using System.Diagnostics;
using DigitGan.Jobs.Evaluation;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Imaging;
using DigitGan.Shared.Runs;
using DigitGan.Shared.Telemetry;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Training;

/// <summary>Receives what a run does as it happens (the CLI draws progress from it; the worker logs it).</summary>
public interface ITrainingObserver
{
    void Message(string text);
    void EpochStarted(int epoch, int totalEpochs, int steps);
    void StepCompleted(int epoch, int step, int steps, StepResult result, double imagesPerSecond);
    void EpochCompleted(EpochMetrics metrics, int totalEpochs, double? etaSeconds);
    void EvaluationCompleted(EvaluationMetrics metrics);
    void HealthFlagRaised(HealthFlag flag);
}

/// <summary>A run that must not be retried: its losses or weights stopped being finite.</summary>
public sealed class NonFiniteTrainingException(string message, HealthFlag flag) : Exception(message)
{
    public HealthFlag Flag { get; } = flag;
}

/// <summary>
/// Trains one run end to end against the artifact store: loads MNIST, resumes from the run's latest checkpoint,
/// trains epoch by epoch, and writes grids, metrics, checkpoints, the manifest and finally the GIF.
/// </summary>
/// <param name="interrupted">
/// How the manifest records an interruption (the token fired): by default Cancelled, with the command that resumes
/// it. A worker passes its own (a cancel request vs. a shutdown that another worker resumes).
/// </param>
/// <param name="datasetCache">A local folder that keeps verified dataset files by hash (workers on blob storage); null reads the store.</param>
public sealed class TrainingRunner(RunRepository runs, ITrainingObserver observer, Func<RunManifest, RunManifest>? interrupted = null, string? datasetCache = null)
{
    /// <summary>How often the manifest's live progress (step, images/s, ETA) is written during an epoch.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    public const int GridColumns = SampleGridLayout.Columns;
    public const int GridCells = SampleGridLayout.Cells;
    public const int GridScale = SampleGridLayout.Scale;
    public const int GifDelayCentiseconds = 25;

    private IArtifactStore Store => runs.Store;

    public async Task<RunManifest> RunAsync(Guid runId, Device device, int threads, CancellationToken cancellationToken = default)
    {
        var manifest = await runs.GetAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw new RunNotFoundException(runId);
        if (manifest.Status == RunStatus.Succeeded)
        {
            observer.Message($"Run {runId} already succeeded; nothing to do.");
            return manifest;
        }

        // One trainer per run, across processes: a second worker (or a CLI resume) finds the lease taken.
        await using var lease = await Store.TryAcquireLeaseAsync(RunArtifactLayout.Lease(runId), cancellationToken).ConfigureAwait(false)
            ?? throw new RunLeasedException(runId);
        var spec = manifest.Spec;
        var split = await MnistDataset.LoadAsync(Store, train: true, cancellationToken, datasetCache).ConfigureAwait(false);
        var imageCount = spec.TrainSubset ?? split.Images.Count;
        using var images = ToTensor(split.Images, imageCount, device);
        using var trainer = new DcganTrainer(spec, device);

        var startEpoch = 0;
        var metricsLines = new List<string>();
        var health = new RunHealthMonitor();
        var latest = await Store.GetBytesAsync(RunArtifactLayout.LatestCheckpoint(runId), cancellationToken).ConfigureAwait(false);
        if (latest is not null)
        {
            var header = Checkpoint.Restore(trainer, latest, RunArtifactLayout.LatestCheckpoint(runId));
            startEpoch = header.Epoch;
            metricsLines = await ReadMetricsUpToAsync(runId, startEpoch, cancellationToken).ConfigureAwait(false);
            ReplayHealth(health, metricsLines);
            observer.Message($"Resuming run {runId} from its checkpoint of epoch {startEpoch}.");
        }

        var (evaluator, qualityOff) = await LoadEvaluatorAsync(spec, device, cancellationToken).ConfigureAwait(false);
        using var evaluatorScope = evaluator;
        using var evaluationNoise = evaluator is null ? null : QualityEvaluator.EvaluationNoise(spec);
        if (qualityOff is not null)
        {
            observer.Message(qualityOff);
        }

        var stepsPerEpoch = StepsPerEpoch(imageCount, spec.BatchSize, spec.MaxStepsPerEpoch);
        var keptEvaluations = Evaluations(metricsLines).ToList();
        manifest = await runs.UpdateAsync(runId, m => m with
        {
            Status = RunStatus.Running,
            StartedAt = m.StartedAt ?? DateTimeOffset.UtcNow,
            Error = null,
            Device = device.type.ToString(),
            Threads = threads,
            CodeVersion = CodeVersion.Current,
            QualityMetricsOff = qualityOff,
            HealthFlags = [.. m.HealthFlags.Where(f => f.Epoch <= startEpoch)],
            LatestEvaluation = m.LatestEvaluation is { } last && last.Epoch <= startEpoch ? last : keptEvaluations.LastOrDefault(),
            BestFid = keptEvaluations.Select(e => (double?)e.Fid).Min(),
            Progress = m.Progress with { Epoch = startEpoch, TotalEpochs = spec.Epochs, Step = 0, StepsPerEpoch = stepsPerEpoch },
        }, cancellationToken).ConfigureAwait(false);

        using var sampleNoise = FixedSampleNoise(spec);
        var epochSeconds = new List<double>();
        try
        {
            for (var epoch = startEpoch + 1; epoch <= spec.Epochs; epoch++)
            {
                using var epochSpan = DigitGanTelemetry.StartEpoch(runId, epoch, spec.Epochs);
                var flags = new List<HealthFlag>();
                var previousEpochs = epochSeconds.Count > 0 ? epochSeconds.Average() : (double?)null;
                var summary = TrainEpoch(runId, trainer, images, epoch, stepsPerEpoch, previousEpochs, metricsLines, health, flags, cancellationToken);
                epochSeconds.Add(summary.Seconds);
                DigitGanTelemetry.EpochCompleted(epochSpan, summary, device.type.ToString());
                metricsLines.Add(MetricsLines.Format(summary));
                if (!trainer.WeightsAreFinite())
                {
                    var message = $"A weight became NaN or infinite in epoch {epoch}; the last good checkpoint (epoch {epoch - 1}) is kept.";
                    throw new NonFiniteTrainingException(message, new HealthFlag { Kind = HealthFlagKind.NonFinite, Epoch = epoch, GlobalStep = (long)epoch * stepsPerEpoch, Detail = message });
                }

                await Store.PutBytesAsync(RunArtifactLayout.Sample(runId, epoch), PngEncoder.Encode(RenderGrid(trainer, sampleNoise)), cancellationToken: cancellationToken).ConfigureAwait(false);

                EvaluationMetrics? evaluation = null;
                if (evaluator is not null && (epoch % spec.EvaluateEvery == 0 || epoch == spec.Epochs))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using (var evaluationSpan = DigitGanTelemetry.StartEvaluation(runId, epoch))
                    {
                        evaluation = evaluator.ScoreGenerator(trainer.Generator, evaluationNoise!, epoch, cancellationToken);
                        DigitGanTelemetry.EvaluationCompleted(evaluationSpan, evaluation);
                    }

                    metricsLines.Add(MetricsLines.Format(evaluation));
                    observer.EvaluationCompleted(evaluation);
                    if (health.ObserveEvaluation(epoch, evaluation.ClassesAtLeast5Percent) is { } collapse)
                    {
                        RecordFlag(collapse, metricsLines, flags);
                    }
                }

                // Metrics before the checkpoint: a crash in between leaves metrics ahead of `latest`, which a resume
                // cuts back; the other order could lose an epoch's metrics.
                await Store.PutTextAsync(RunArtifactLayout.Metrics(runId), string.Join('\n', metricsLines) + "\n", cancellationToken: cancellationToken).ConfigureAwait(false);
                var keepNumbered = epoch % spec.CheckpointEvery == 0 || epoch == spec.Epochs;
                await SaveCheckpointAsync(trainer, runId, epoch, (long)epoch * stepsPerEpoch, keepNumbered, cancellationToken).ConfigureAwait(false);

                var eta = epochSeconds.Average() * (spec.Epochs - epoch);
                manifest = await runs.UpdateAsync(runId, m => m with
                {
                    Progress = new RunProgress { Epoch = epoch, TotalEpochs = spec.Epochs, Step = stepsPerEpoch, StepsPerEpoch = stepsPerEpoch, ImagesPerSecond = summary.ImagesPerSecond, EtaSeconds = eta },
                    TrainingSeconds = m.TrainingSeconds + summary.Seconds,
                    EvaluationSeconds = m.EvaluationSeconds + (evaluation?.Seconds ?? 0),
                    LatestEvaluation = evaluation ?? m.LatestEvaluation,
                    BestFid = evaluation is null ? m.BestFid : Math.Min(evaluation.Fid, m.BestFid ?? double.PositiveInfinity),
                    LatestEpoch = summary,
                    HealthFlags = [.. m.HealthFlags, .. flags],
                    LatestCheckpointEpoch = epoch,
                    CheckpointEpochs = keepNumbered ? [.. m.CheckpointEpochs.Where(e => e != epoch).Append(epoch).Order()] : m.CheckpointEpochs,
                }, cancellationToken).ConfigureAwait(false);
                observer.EpochCompleted(summary, spec.Epochs, eta);
            }

            await WriteGifAsync(runId, spec.Epochs, cancellationToken).ConfigureAwait(false);
            return await runs.UpdateAsync(runId, m => m with { Status = RunStatus.Succeeded, FinishedAt = DateTimeOffset.UtcNow }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await runs.UpdateAsync(runId, interrupted ?? (m => m with
            {
                Status = RunStatus.Cancelled,
                FinishedAt = DateTimeOffset.UtcNow,
                Error = $"Interrupted during epoch {m.LatestCheckpointEpoch + 1}; resume from the epoch-{m.LatestCheckpointEpoch} checkpoint with `train --resume {runId}`.",
            }), CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        catch (NonFiniteTrainingException ex)
        {
            observer.HealthFlagRaised(ex.Flag);
            await runs.UpdateAsync(runId, m => m with { Status = RunStatus.Failed, FinishedAt = DateTimeOffset.UtcNow, Error = ex.Message, HealthFlags = [.. m.HealthFlags, ex.Flag] }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Full batches plus the partial last one; a last batch of a single image is dropped (BatchNorm needs two).</summary>
    public static int StepsPerEpoch(int imageCount, int batchSize, int? maxSteps)
    {
        var steps = (imageCount / batchSize) + (imageCount % batchSize >= 2 ? 1 : 0);
        return maxSteps is { } max ? Math.Min(steps, max) : steps;
    }

    /// <summary>MNIST bytes -> float tensor [N, 1, 28, 28] scaled to [-1, 1] as (x - 127.5) / 127.5, on the device.</summary>
    public static Tensor ToTensor(IdxImages images, int count, Device device)
    {
        using var scope = NewDisposeScope();
        var bytes = tensor(images.Pixels.AsSpan(0, count * images.PixelsPerImage).ToArray(), dtype: ScalarType.Byte);
        return bytes.view(count, 1, images.Rows, images.Columns).to(ScalarType.Float32).sub_(127.5).div_(127.5).to(device).MoveToOuterDisposeScope();
    }

    /// <summary>The run's 16 fixed noise vectors, from their own stream of the run's seed: the same cells every epoch.</summary>
    public static Tensor FixedSampleNoise(RunSpec spec)
    {
        using var generator = new torch.Generator(RunSeeds.Derive(spec.Seed, RunSeeds.SampleNoise));
        return randn([GridCells, spec.NoiseDim], generator: generator);
    }

    public static GrayImage RenderGrid(DcganTrainer trainer, Tensor noise)
    {
        var pixels = trainer.Render(noise);
        var cells = Enumerable.Range(0, (int)noise.shape[0])
            .Select(i => GrayImage.FromSignedUnit(pixels.AsSpan(i * 28 * 28, 28 * 28), 28, 28))
            .ToList();
        return GrayImage.Grid(cells, GridColumns, GridScale, SampleGridLayout.Gap, SampleGridLayout.GapValue);
    }

    private EpochMetrics TrainEpoch(Guid runId, DcganTrainer trainer, Tensor images, int epoch, int steps, double? epochSecondsSoFar, List<string> metricsLines, RunHealthMonitor health, List<HealthFlag> flags, CancellationToken cancellationToken)
    {
        var spec = trainer.Spec;
        var count = images.shape[0];
        observer.EpochStarted(epoch, spec.Epochs, steps);
        var clock = Stopwatch.StartNew();
        double dLoss = 0, gLoss = 0, dReal = 0, dFake = 0;
        long seen = 0;
        var lastProgress = TimeSpan.Zero;
        using var order = randperm(count, device: trainer.Device, generator: trainer.Random);
        for (var step = 1; step <= steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = (long)(step - 1) * spec.BatchSize;
            var size = Math.Min(spec.BatchSize, count - start);
            StepResult result;
            using (var scope = NewDisposeScope())
            {
                var batch = images.index_select(0, order.narrow(0, start, size));
                result = trainer.Step(batch);
            }

            NativeMemory.ReleaseUnownedTensors();

            var globalStep = ((long)(epoch - 1) * steps) + step;
            if (!double.IsFinite(result.DLoss) || !double.IsFinite(result.GLoss))
            {
                var message = $"The losses became non-finite at epoch {epoch}, step {step} (D loss {result.DLoss}, G loss {result.GLoss}); the last good checkpoint (epoch {epoch - 1}) is kept.";
                throw new NonFiniteTrainingException(message, new HealthFlag { Kind = HealthFlagKind.NonFinite, Epoch = epoch, GlobalStep = globalStep, Detail = message });
            }

            seen += size;
            (dLoss, gLoss, dReal, dFake) = (dLoss + result.DLoss, gLoss + result.GLoss, dReal + result.DReal, dFake + result.DFake);
            metricsLines.Add(MetricsLines.Format(new StepMetrics
            {
                Epoch = epoch,
                Step = step,
                GlobalStep = globalStep,
                DLoss = result.DLoss,
                GLoss = result.GLoss,
                DReal = result.DReal,
                DFake = result.DFake,
            }));
            if (health.ObserveStep(epoch, globalStep, result.DReal, result.DFake) is { } flag)
            {
                RecordFlag(flag, metricsLines, flags);
            }

            if (clock.Elapsed - lastProgress >= ProgressInterval && step < steps)
            {
                lastProgress = clock.Elapsed;
                WriteLiveProgress(runId, epoch, step, steps, seen / clock.Elapsed.TotalSeconds, clock.Elapsed.TotalSeconds, epochSecondsSoFar);
            }

            observer.StepCompleted(epoch, step, steps, result, seen / clock.Elapsed.TotalSeconds);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        return new EpochMetrics
        {
            Epoch = epoch,
            Steps = steps,
            Images = seen,
            DLoss = dLoss / steps,
            GLoss = gLoss / steps,
            DReal = dReal / steps,
            DFake = dFake / steps,
            Seconds = seconds,
            ImagesPerSecond = seen / seconds,
        };
    }

    /// <summary>
    /// The manifest's progress within an epoch, so viewers see steps move. Written synchronously from the step loop
    /// (a worker thread with no synchronization context); a failed write is only logged: training goes on.
    /// </summary>
    private void WriteLiveProgress(Guid runId, int epoch, int step, int steps, double imagesPerSecond, double epochElapsed, double? secondsPerEpoch)
    {
        var perEpoch = secondsPerEpoch ?? epochElapsed * steps / step;
        try
        {
            runs.UpdateAsync(runId, m => m with
            {
                Progress = m.Progress with
                {
                    Epoch = epoch - 1,
                    Step = step,
                    StepsPerEpoch = steps,
                    ImagesPerSecond = imagesPerSecond,
                    EtaSeconds = Math.Max(0, perEpoch - epochElapsed) + (perEpoch * (m.Progress.TotalEpochs - epoch)),
                },
            }, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is IOException or ArtifactConflictException or TimeoutException)
        {
            observer.Message($"Could not write live progress ({ex.Message}); training goes on.");
        }

    }

    private void RecordFlag(HealthFlag flag, List<string> metricsLines, List<HealthFlag> flags)
    {
        flags.Add(flag);
        metricsLines.Add(MetricsLines.Format(new HealthRecord { Epoch = flag.Epoch, Flag = flag }));
        observer.HealthFlagRaised(flag);
    }

    /// <summary>Feeds the kept metrics of a resumed run back through the monitor, so flags fire exactly as without the interruption.</summary>
    private static void ReplayHealth(RunHealthMonitor health, List<string> metricsLines)
    {
        foreach (var record in metricsLines.Select(MetricsLines.Parse))
        {
            _ = record switch
            {
                StepMetrics step => health.ObserveStep(step.Epoch, step.GlobalStep, step.DReal, step.DFake),
                EvaluationMetrics evaluation => health.ObserveEvaluation(evaluation.Epoch, evaluation.ClassesAtLeast5Percent),
                _ => null,
            };
        }
    }

    private static IEnumerable<EvaluationMetrics> Evaluations(List<string> metricsLines) =>
        metricsLines.Select(MetricsLines.Parse).OfType<EvaluationMetrics>();

    /// <summary>The run's evaluator, or null and the reason quality metrics are off (said once, recorded on the run).</summary>
    private async Task<(QualityEvaluator? Evaluator, string? Off)> LoadEvaluatorAsync(RunSpec spec, Device device, CancellationToken cancellationToken)
    {
        if (spec.EvaluateEvery == 0)
        {
            return (null, "Quality metrics are off for this run (its evaluation interval is 0).");
        }

        var evaluator = await QualityEvaluator.LoadAsync(Store, device, cancellationToken, datasetCache).ConfigureAwait(false);
        return evaluator is null
            ? (null, $"Quality metrics (FID, IS, class coverage) are off: the store has no digit classifier ({RunArtifactLayout.ClassifierManifest}). {ClassifierFiles.EnableHint}")
            : (evaluator, null);
    }

    private async Task SaveCheckpointAsync(DcganTrainer trainer, Guid runId, int epoch, long globalStep, bool keepNumbered, CancellationToken cancellationToken)
    {
        var bytes = Checkpoint.Serialize(trainer, new CheckpointHeader
        {
            RunId = runId,
            Epoch = epoch,
            GlobalStep = globalStep,
            Spec = trainer.Spec,
            CodeVersion = CodeVersion.Current,
            SavedAt = DateTimeOffset.UtcNow,
        });
        if (keepNumbered)
        {
            await Store.PutBytesAsync(RunArtifactLayout.Checkpoint(runId, epoch), bytes, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        await Store.PutBytesAsync(RunArtifactLayout.LatestCheckpoint(runId), bytes, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task<List<string>> ReadMetricsUpToAsync(Guid runId, int epoch, CancellationToken cancellationToken)
    {
        var text = await Store.GetTextAsync(RunArtifactLayout.Metrics(runId), cancellationToken).ConfigureAwait(false);
        if (text is null)
        {
            return [];
        }

        return MetricsLines.UpToEpoch(text.Value.Text, epoch);
    }

    private async Task WriteGifAsync(Guid runId, int epochs, CancellationToken cancellationToken)
    {
        var frames = new List<GrayImage>(epochs);
        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            var path = RunArtifactLayout.Sample(runId, epoch);
            var png = await Store.GetBytesAsync(path, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"{path} is missing; cannot build the run's GIF.");
            frames.Add(PngDecoder.Decode(png, path));
        }

        using var gif = new MemoryStream();
        GifEncoder.Write(gif, frames, GifDelayCentiseconds);
        await Store.PutBytesAsync(RunArtifactLayout.Gif(runId), gif.ToArray(), cancellationToken: cancellationToken).ConfigureAwait(false);
        observer.Message($"Wrote {RunArtifactLayout.Gif(runId)} ({frames.Count} frames).");
    }
}
