using DigitGan.Shared.Artifacts;

namespace DigitGan.Shared.Runs;

/// <summary>The store has no manifest for the run.</summary>
public sealed class RunNotFoundException(Guid runId) : Exception($"Run {runId} does not exist (no {RunArtifactLayout.Manifest(runId)} in the store).")
{
    public Guid RunId { get; } = runId;
}
