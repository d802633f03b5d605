using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DigitGan.Shared.Health;

/// <summary>Ready when the store holds the digit classifier of this version's architecture, its weights matching the manifest's SHA-256.</summary>
public sealed class ClassifierHealthCheck(IArtifactStore store) : IHealthCheck
{
    private readonly VerifiedArtifacts _verified = new(store);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var manifest = (await store.GetJsonAsync<ClassifierManifest>(RunArtifactLayout.ClassifierManifest, cancellationToken).ConfigureAwait(false))?.Value;
            if (manifest is null)
            {
                return HealthCheckResult.Unhealthy($"No digit classifier in the store at {store.Description} ({RunArtifactLayout.ClassifierManifest} is missing). {ClassifierFiles.EnableHint}");
            }

            if (manifest.Architecture != ClassifierFiles.Architecture || manifest.FeatureDim != ClassifierFiles.FeatureDim)
            {
                return HealthCheckResult.Unhealthy($"The stored classifier is a '{manifest.Architecture}' one; this version needs '{ClassifierFiles.Architecture}'. {ClassifierFiles.EnableHint}");
            }

            if (await store.GetInfoAsync(RunArtifactLayout.ClassifierWeights, cancellationToken).ConfigureAwait(false) is not { } info)
            {
                return HealthCheckResult.Unhealthy($"{RunArtifactLayout.ClassifierWeights} is missing from the store at {store.Description} although its manifest exists. {ClassifierFiles.EnableHint}");
            }

            var hash = await _verified.Sha256Async(info, cancellationToken).ConfigureAwait(false);
            return hash == manifest.Sha256 && info.Length == manifest.Length
                ? HealthCheckResult.Healthy($"The digit classifier ({manifest.Architecture}) is present and matches its SHA-256.")
                : HealthCheckResult.Unhealthy($"The classifier is corrupt: {RunArtifactLayout.ClassifierWeights} has SHA-256 {hash} ({info.Length} bytes), its manifest says {manifest.Sha256} ({manifest.Length} bytes). {ClassifierFiles.EnableHint}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The classifier could not be verified in the store at {store.Description}: {ex.Message}");
        }
    }
}
