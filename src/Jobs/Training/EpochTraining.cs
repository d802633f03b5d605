using System.Diagnostics;
using DigitGan.Jobs.Model;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Training;

/// <summary>The steps of one epoch: shuffle, one train step per batch, metrics and flags into the run state, progress out.</summary>
/// <param name="progressInterval">How often the manifest's live progress (step, images/s, ETA) is written.</param>
public sealed class EpochTraining(RunRepository runs, ITrainingObserver observer, TimeSpan progressInterval)
{
    /// <summary>How often the epoch's step lines so far are appended to metrics.jsonl.</summary>
    public TimeSpan MetricsInterval { get; init; } = TimeSpan.FromSeconds(30);

    public EpochMetrics Train(TrainingRunState state, int epoch, CancellationToken cancellationToken)
    {
        var (trainer, images, steps) = (state.Trainer, state.Images, state.StepsPerEpoch);
        var spec = trainer.Spec;
        var count = images.shape[0];
        observer.EpochStarted(epoch, spec.Epochs, steps);
        var clock = Stopwatch.StartNew();
        double dLoss = 0, gLoss = 0, dReal = 0, dFake = 0;
        long seen = 0;
        var lastProgress = TimeSpan.Zero;
        var lastMetrics = TimeSpan.Zero;
        using var order = randperm(count, device: trainer.Device, generator: trainer.Random);
        for (var step = 1; step <= steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = (long)(step - 1) * spec.BatchSize;
            var size = Math.Min(spec.BatchSize, count - start);
            var globalStep = ((long)(epoch - 1) * steps) + step;
            trainer.ScheduleLearningRates(globalStep, (long)spec.Epochs * steps);
            StepResult result;
            using (var scope = NewDisposeScope())
            {
                var batch = images.index_select(0, order.narrow(0, start, size));
                result = trainer.Step(batch);
            }

            NativeMemory.ReleaseStepTensors(globalStep);

            if (!double.IsFinite(result.DLoss) || !double.IsFinite(result.GLoss))
            {
                throw new NonFiniteTrainingException($"The losses became non-finite at epoch {epoch}, step {step} (D loss {result.DLoss}, G loss {result.GLoss}); the last good checkpoint (epoch {epoch - 1}) is kept.", epoch, globalStep);
            }

            seen += size;
            (dLoss, gLoss, dReal, dFake) = (dLoss + result.DLoss, gLoss + result.GLoss, dReal + result.DReal, dFake + result.DFake);
            state.Add(new StepMetrics
            {
                Epoch = epoch,
                Step = step,
                GlobalStep = globalStep,
                DLoss = result.DLoss,
                GLoss = result.GLoss,
                DReal = result.DReal,
                DFake = result.DFake,
            });
            if (state.Health.ObserveStep(epoch, globalStep, result.DReal, result.DFake) is { } flag)
            {
                state.RecordFlag(flag);
                observer.HealthFlagRaised(flag);
            }

            // Checked again before this step's writes: a lease lost during the step must not be followed by a write.
            cancellationToken.ThrowIfCancellationRequested();
            if (clock.Elapsed - lastProgress >= progressInterval && step < steps)
            {
                lastProgress = clock.Elapsed;
                WriteLiveProgress(state, epoch, step, seen / clock.Elapsed.TotalSeconds, clock.Elapsed.TotalSeconds);
            }

            if (clock.Elapsed - lastMetrics >= MetricsInterval && step < steps)
            {
                lastMetrics = clock.Elapsed;
                AppendStepLines(state);
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
    /// Appends the step lines so far, so the charts move during an epoch. Written synchronously from the step loop; a
    /// failure fails the attempt like the epoch's own metrics write (a half-done append cannot be retried without
    /// repeating lines), and the retry's resume cuts metrics.jsonl back to the checkpoint's epoch.
    /// </summary>
    private void AppendStepLines(TrainingRunState state)
    {
        if (state.HasPendingMetrics)
        {
            runs.Store.AppendTextAsync(RunArtifactLayout.Metrics(state.RunId), state.TakePendingMetrics(), CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// The manifest's progress within an epoch, so viewers see steps move. Written synchronously from the step loop
    /// (a worker thread with no synchronization context); a failed write is only logged: training goes on.
    /// </summary>
    private void WriteLiveProgress(TrainingRunState state, int epoch, int step, double imagesPerSecond, double epochElapsed)
    {
        var steps = state.StepsPerEpoch;
        var perEpoch = state.SecondsPerEpoch ?? epochElapsed * steps / step;
        try
        {
            runs.UpdateAsync(state.RunId, m => m with
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
}
