using System.Globalization;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Runs;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Training;

/// <summary>How a run resumes: a checkpoint after every epoch (latest, and numbered when kept), the latest restored on restart.</summary>
public sealed class RunCheckpoints(IArtifactStore store, Guid runId)
{
    /// <summary>
    /// Restores the newest checkpoint that checks out (latest, else the numbered ones from the newest down; the
    /// state's <see cref="TrainingRunState.CheckpointFallback"/> says when it fell back), and cuts metrics.jsonl back to
    /// its epoch (a crash can leave later lines), so the lines appended from here on follow exactly its epochs. When
    /// checkpoints exist and none checks out, fails with every file and what is wrong with it.
    /// </summary>
    public async Task<TrainingRunState> ResumeAsync(DcganTrainer trainer, Tensor images, int stepsPerEpoch, CancellationToken cancellationToken)
    {
        var (epoch, fallback) = await RestoreNewestAsync(trainer, cancellationToken).ConfigureAwait(false);
        var metricsPath = RunArtifactLayout.Metrics(runId);
        var metrics = await store.GetTextAsync(metricsPath, cancellationToken).ConfigureAwait(false);
        var kept = metrics is null ? [] : MetricsLines.UpToEpoch(metrics.Value.Text, epoch);
        var cut = kept.Count == 0 ? "" : string.Join('\n', kept) + "\n";
        if (metrics is { } current && current.Text != cut)
        {
            await store.PutTextAsync(metricsPath, cut, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return new TrainingRunState(runId, trainer, images, stepsPerEpoch, epoch, kept) { CheckpointFallback = fallback };
    }

    /// <summary>The epoch restored (0: no checkpoint at all) and, when it is not latest.ckpt, why.</summary>
    private async Task<(int Epoch, string? Fallback)> RestoreNewestAsync(DcganTrainer trainer, CancellationToken cancellationToken)
    {
        var candidates = new List<string> { RunArtifactLayout.LatestCheckpoint(runId) };
        var numbered = new List<(int Epoch, string Path)>();
        await foreach (var info in store.ListAsync(RunArtifactLayout.CheckpointsPrefix(runId), cancellationToken).ConfigureAwait(false))
        {
            var name = Path.GetFileNameWithoutExtension(info.Path);
            if (name.StartsWith("epoch-", StringComparison.Ordinal) && int.TryParse(name.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out var e))
            {
                numbered.Add((e, info.Path));
            }
        }

        candidates.AddRange(numbered.OrderByDescending(n => n.Epoch).Select(n => n.Path));
        var problems = new List<string>();
        foreach (var path in candidates)
        {
            if (await store.GetBytesAsync(path, cancellationToken).ConfigureAwait(false) is not { } bytes)
            {
                continue;
            }

            try
            {
                var epoch = Checkpoint.Restore(trainer, bytes, path).Epoch;
                return (epoch, problems.Count == 0 ? null : $"Resumed from {path} (epoch {epoch}) because {string.Join("; ", problems)}.");
            }
            catch (InvalidDataException ex)
            {
                problems.Add(ex.Message.TrimEnd('.'));
            }
        }

        return problems.Count == 0
            ? (0, null)
            : throw new InvalidDataException($"No checkpoint of run {runId} checks out, so it cannot resume: {string.Join("; ", problems)}. Start the run again as a new run.");
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
