namespace DigitGan.Shared.Runs;

/// <summary>The worker lost the run's lease while training: it stopped and wrote nothing more; another attempt resumes the run.</summary>
public sealed class RunLeaseLostException(Guid runId)
    : Exception($"Run {runId}: this worker lost the run's lease, so it stopped training and wrote nothing more; the run is retried from its latest checkpoint.")
{
    public Guid RunId { get; } = runId;
}
