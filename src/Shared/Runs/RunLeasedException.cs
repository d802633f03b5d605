namespace DigitGan.Shared.Runs;

/// <summary>Another process holds the run's lease: it is being trained there.</summary>
public sealed class RunLeasedException(Guid runId) : Exception($"Run {runId} is being trained by another process (its lease is held); not starting a second trainer.")
{
    public Guid RunId { get; } = runId;
}
