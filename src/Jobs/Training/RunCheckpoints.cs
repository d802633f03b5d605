using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Runs;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Training;

/// <summary>How a run resumes: a checkpoint after every epoch (latest, and numbered when kept), the latest restored on restart.</summary>
public sealed class RunCheckpoints(IArtifactStore store, Guid runId)
{
    /// <summary>Restores the latest checkpoint, if any; the state keeps the metrics up to its epoch (a crash can leave later ones).</summary>
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
