using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Runs;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Training;

/// <summary>
/// How a run resumes: after every epoch its checkpoint is saved (as latest, and numbered when kept); when the run
/// starts again the latest is restored into the trainer and the metrics are cut back to its epoch.
/// </summary>
public sealed class RunCheckpoints(IArtifactStore store, Guid runId)
{
    /// <summary>
    /// Restores <paramref name="trainer"/> from the latest checkpoint, if there is one, and returns the run's state at
    /// its epoch: the metrics lines up to it (a crash after writing metrics leaves later ones, which are dropped).
    /// </summary>
    public async Task<TrainingRunState> ResumeAsync(DcganTrainer trainer, Tensor images, int stepsPerEpoch, CancellationToken cancellationToken)
    {
        var path = RunArtifactLayout.LatestCheckpoint(runId);
        var latest = await store.GetBytesAsync(path, cancellationToken).ConfigureAwait(false);
        if (latest is null)
        {
            return new TrainingRunState(runId, trainer, images, stepsPerEpoch, 0, []);
        }

        var epoch = Checkpoint.Restore(trainer, latest, path).Epoch;
        var metrics = await store.GetTextAsync(RunArtifactLayout.Metrics(runId), cancellationToken).ConfigureAwait(false);
        return new TrainingRunState(runId, trainer, images, stepsPerEpoch, epoch, metrics is null ? [] : MetricsLines.UpToEpoch(metrics.Value.Text, epoch));
    }

    public async Task SaveAsync(DcganTrainer trainer, int epoch, long globalStep, bool keepNumbered, CancellationToken cancellationToken)
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
            await store.PutBytesAsync(RunArtifactLayout.Checkpoint(runId, epoch), bytes, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        await store.PutBytesAsync(RunArtifactLayout.LatestCheckpoint(runId), bytes, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
