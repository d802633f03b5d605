namespace DigitGan.Shared.Runs;

/// <summary>The run's manifest cannot be read, so it cannot be changed; deleting the run removes its folder.</summary>
public sealed class RunDamagedException(Guid runId, string reason) : Exception($"Run {runId} is damaged: {reason}")
{
    public Guid RunId { get; } = runId;

    public string Reason { get; } = reason;
}
