using Hangfire;

namespace DigitGan.Shared.Jobs;

/// <summary>
/// The Hangfire job that trains one run: it carries only the run id (the store holds everything else), and it is
/// idempotent: a finished run is left alone, an interrupted one resumes from its latest checkpoint. Transient
/// faults are retried; a bad spec, bad data or a non-finite loss fail the run once, without a retry.
/// </summary>
public interface ITrainingJob
{
    public const string Queue = "training";

    [Queue(Queue)]
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [10, 60, 300], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    Task RunAsync(Guid runId, CancellationToken cancellationToken);
}
