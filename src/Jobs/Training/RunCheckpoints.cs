using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Runs;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Training;

/// <summary>How a run resumes: a checkpoint after every epoch (latest, and numbered when kept), the latest restored on restart.</summary>
public sealed class RunCheckpoints(IArtifactStore store, Guid runId)
{
    /// <summary>
    /// Restores the latest checkpoint, if any, and cuts metrics.jsonl back to its epoch (a crash can leave later
    /// lines), so the lines appended from here on follow exactly the checkpoint's epochs.
    /// </summary>
    public async Task<TrainingRunState> ResumeAsync(DcganTrainer trainer, Tensor images, int stepsPerEpoch, CancellationToken cancellationToken)
    {
        var path = RunArtifactLayout.LatestCheckpoint(runId);
        var latest = await store.GetBytesAsync(path, cancellationToken).ConfigureAwait(false);
        var epoch = latest is null ? 0 : Checkpoint.Restore(trainer, latest, path).Epoch;
        var metricsPath = RunArtifactLayout.Metrics(runId);
        var metrics = await store.GetTextAsync(metricsPath, cancellationToken).ConfigureAwait(false);
        var kept = metrics is null ? [] : MetricsLines.UpToEpoch(metrics.Value.Text, epoch);
        var cut = kept.Count == 0 ? "" : string.Join('\n', kept) + "\n";
        if (metrics is { } current && current.Text != cut)
        {
            await store.PutTextAsync(metricsPath, cut, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return new TrainingRunState(runId, trainer, images, stepsPerEpoch, epoch, kept);
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
