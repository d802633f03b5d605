using DigitGan.Shared.Artifacts;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DigitGan.Shared.Health;

/// <summary>Ready when the artifact store answers: one metadata read of the run index (absent is fine).</summary>
public sealed class StoreHealthCheck(IArtifactStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.GetInfoAsync(RunArtifactLayout.RunIndex, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"The store at {store.Description} answers.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The store at {store.Description} does not answer: {ex.Message}");
        }
    }
}
