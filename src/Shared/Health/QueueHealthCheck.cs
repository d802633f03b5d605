using DigitGan.Shared.Jobs;
using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DigitGan.Shared.Health;

/// <summary>Ready when the Hangfire queue (the SQLite file or PostgreSQL) answers a count of the training queue.</summary>
public sealed class QueueHealthCheck(JobStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // Hangfire's monitoring API is synchronous: keep it off the request thread and stop waiting on timeout.
            var enqueued = await Task.Run(() => storage.GetMonitoringApi().EnqueuedCount(ITrainingJob.Queue), CancellationToken.None).WaitAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"The queue answers: {enqueued} job(s) waiting in '{ITrainingJob.Queue}'.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The queue does not answer: {ex.Message}");
        }
    }
}
