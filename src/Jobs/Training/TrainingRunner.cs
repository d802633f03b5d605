using DigitGan.Jobs.Evaluation;
using DigitGan.Jobs.Model;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Runs;
using DigitGan.Shared.Telemetry;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Training;

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

    /// <summary>How often the step lines of an epoch are appended to metrics.jsonl, so charts move during an epoch.</summary>
    public TimeSpan MetricsInterval { get; init; } = TimeSpan.FromSeconds(30);

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

        // A lost lease (a failed renewal, or one that a write's check finds broken) stops training at the next step or
        // write; nothing more is written, and the job is retried.
        var leased = runs.WithStore(new LeasedStore(Store, lease));
        using var training = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Lost);
        try
        {
            // Read again under the lease: another worker may have finished the run since the first read.
            manifest = await leased.GetAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw new RunNotFoundException(runId);
            if (manifest.Status == RunStatus.Succeeded)
            {
                observer.Message($"Run {runId} already succeeded; nothing to do.");
                lease.RemoveWhenReleased();
                return manifest;
            }

            return await TrainLeasedAsync(leased, runId, manifest, device, threads, training.Token, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (lease.Lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            observer.Message($"Run {runId}: the lease was lost; stopped without writing more.");
            throw new RunLeaseLostException(runId);
        }
        finally
        {
            // A run that ended (succeeded, failed, cancelled) is never leased again: its lock file goes with the lease.
            if (!lease.Lost.IsCancellationRequested && await IsFinishedAsync(runId).ConfigureAwait(false))
            {
                lease.RemoveWhenReleased();
            }
        }
    }

    private async Task<bool> IsFinishedAsync(Guid runId)
    {
        try
        {
            return (await Store.GetJsonAsync<RunManifest>(RunArtifactLayout.Manifest(runId), CancellationToken.None).ConfigureAwait(false))?.Value.IsFinished ?? true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return false; // unknown: keep the lock file, `gc` decides later
        }
    }

    /// <param name="cancellationToken">Fires on an interruption or a lost lease: training stops at the next step.</param>
    /// <param name="interruption">Fires on an interruption only, which the manifest records (a lost lease writes nothing).</param>
    private async Task<RunManifest> TrainLeasedAsync(RunRepository runs, Guid runId, RunManifest manifest, Device device, int threads, CancellationToken cancellationToken, CancellationToken interruption)
    {
        var spec = manifest.Spec;
        var split = await MnistDataset.LoadAsync(runs.Store, train: true, cancellationToken, datasetCache).ConfigureAwait(false);
        var imageCount = spec.TrainSubset ?? split.Images.Count;
        using var images = ImageTensors.ToTensor(split.Images, imageCount, device);
        using var trainer = new DcganTrainer(spec, device);
        var checkpoints = new RunCheckpoints(runs.Store, runId);
        var state = await checkpoints.ResumeAsync(trainer, images, StepsPerEpoch(imageCount, spec.BatchSize, spec.MaxStepsPerEpoch), cancellationToken).ConfigureAwait(false);
        var (startEpoch, stepsPerEpoch) = (state.StartEpoch, state.StepsPerEpoch);
        if (state.CheckpointFallback is { } fallback)
        {
            observer.Message(fallback);
        }
        else if (startEpoch > 0)
        {
            observer.Message($"Resuming run {runId} from its checkpoint of epoch {startEpoch}.");
        }

        var (evaluator, qualityOff) = await LoadEvaluatorAsync(spec, device, cancellationToken).ConfigureAwait(false);
        using var evaluatorScope = evaluator;
        using var evaluationNoise = evaluator is null ? null : QualityEvaluator.EvaluationNoise(spec);
        if (qualityOff is not null)
        {
            observer.Message(qualityOff);
        }

        var keptEvaluations = state.Evaluations.ToList();
        manifest = await runs.UpdateAsync(runId, m => m with
        {
            Status = RunStatus.Running,
            StartedAt = m.StartedAt ?? DateTimeOffset.UtcNow,
            Error = null,
            Device = device.type.ToString(),
            Threads = threads,
            Precision = ComputePrecision.Name(trainer.ComputeType),
            CodeVersion = CodeVersion.Current,
            QualityMetricsOff = qualityOff,
            HealthFlags = [.. m.HealthFlags.Where(f => f.Epoch <= startEpoch)],
            LatestEvaluation = m.LatestEvaluation is { } last && last.Epoch <= startEpoch ? last : keptEvaluations.LastOrDefault(),
            BestFid = keptEvaluations.Select(e => (double?)e.Fid).Min(),
            Progress = m.Progress with { Epoch = startEpoch, TotalEpochs = spec.Epochs, Step = 0, StepsPerEpoch = stepsPerEpoch },
            LatestCheckpointEpoch = startEpoch,
            CheckpointFallbacks = state.CheckpointFallback is { } note ? [.. m.CheckpointFallbacks, note] : m.CheckpointFallbacks,
        }, cancellationToken).ConfigureAwait(false);

        using var grids = new SampleGrids(runs.Store, runId, spec);
        var epochs = new EpochTraining(runs, observer, ProgressInterval) { MetricsInterval = MetricsInterval };
        try
        {
            for (var epoch = startEpoch + 1; epoch <= spec.Epochs; epoch++)
            {
                using var epochSpan = DigitGanTelemetry.StartEpoch(runId, epoch, spec.Epochs);
                state.BeginEpoch();
                var summary = epochs.Train(state, epoch, cancellationToken);
                state.EndEpoch(summary);
                DigitGanTelemetry.EpochCompleted(epochSpan, summary, device.type.ToString());
                if (!trainer.WeightsAreFinite())
                {
                    throw new NonFiniteTrainingException($"A weight became NaN or infinite in epoch {epoch}; the last good checkpoint (epoch {epoch - 1}) is kept.", epoch, (long)epoch * stepsPerEpoch);
                }

                await grids.PutAsync(trainer, epoch, cancellationToken).ConfigureAwait(false);

                EvaluationMetrics? evaluation = null;
                if (evaluator is not null && (epoch % spec.EvaluateEvery == 0 || epoch == spec.Epochs))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using (var evaluationSpan = DigitGanTelemetry.StartEvaluation(runId, epoch))
                    {
                        evaluation = evaluator.ScoreGenerator(trainer.SamplingGenerator, evaluationNoise!, epoch, cancellationToken, trainer.Ranking, spec.EvaluationSamples);
                        DigitGanTelemetry.EvaluationCompleted(evaluationSpan, evaluation);
                    }

                    state.Add(evaluation);
                    observer.EvaluationCompleted(evaluation);
                    if (state.Health.ObserveEvaluation(epoch, evaluation.ClassesAtLeast5Percent) is { } collapse)
                    {
                        state.RecordFlag(collapse);
                        observer.HealthFlagRaised(collapse);
                    }
                }

                // Metrics before the checkpoint: a crash in between leaves metrics ahead of `latest`, which a resume
                // cuts back; the other order could lose an epoch's metrics.
                await runs.Store.AppendTextAsync(RunArtifactLayout.Metrics(runId), state.TakePendingMetrics(), cancellationToken).ConfigureAwait(false);
                var keepNumbered = epoch % spec.CheckpointEvery == 0 || epoch == spec.Epochs;
                await checkpoints.SaveAsync(trainer, epoch, (long)epoch * stepsPerEpoch, keepNumbered, cancellationToken).ConfigureAwait(false);

                var eta = state.SecondsPerEpoch * (spec.Epochs - epoch);
                var flags = state.EpochFlags;
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

            var frames = await grids.WriteGifAsync(spec.Epochs, cancellationToken).ConfigureAwait(false);
            observer.Message($"Wrote {RunArtifactLayout.Gif(runId)} ({frames} frames).");
            return await runs.UpdateAsync(runId, m => m with { Status = RunStatus.Succeeded, FinishedAt = DateTimeOffset.UtcNow }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (interruption.IsCancellationRequested)
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
}
