using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DigitGan.Shared.Health;

/// <summary>
/// Ready when the store holds the four MNIST files with their published SHA-256 hashes. Each file is hashed once per
/// ETag, so a probe costs a few metadata reads once the files are verified.
/// </summary>
public sealed class MnistHealthCheck(IArtifactStore store) : IHealthCheck
{
    private readonly VerifiedArtifacts _verified = new(store);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var manifest = await store.GetJsonAsync<DatasetManifest>(RunArtifactLayout.MnistManifest, cancellationToken).ConfigureAwait(false);
            if (manifest is null)
            {
                return HealthCheckResult.Unhealthy($"MNIST is not in the store at {store.Description} ({RunArtifactLayout.MnistManifest} is missing). {MnistDataset.SetupHint}");
            }

            foreach (var (name, published) in MnistFiles.Sha256)
            {
                var path = RunArtifactLayout.MnistFile(name);
                if (!manifest.Value.Value.Files.TryGetValue(name, out var listed) || listed.Sha256 != published)
                {
                    return HealthCheckResult.Unhealthy($"{RunArtifactLayout.MnistManifest} does not list {name} with its published SHA-256 {published}. {MnistDataset.SetupHint}");
                }

                if (await store.GetInfoAsync(path, cancellationToken).ConfigureAwait(false) is not { } info)
                {
                    return HealthCheckResult.Unhealthy($"MNIST is incomplete: {path} is missing from the store at {store.Description}. {MnistDataset.SetupHint}");
                }

                var hash = await _verified.Sha256Async(info, cancellationToken).ConfigureAwait(false);
                if (hash != published)
                {
                    return HealthCheckResult.Unhealthy($"MNIST is corrupt: {path} has SHA-256 {hash}, the published one is {published}. {MnistDataset.SetupHint}");
                }
            }

            return HealthCheckResult.Healthy("MNIST: the four files are present and match their published SHA-256 hashes.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"MNIST could not be verified in the store at {store.Description}: {ex.Message}");
        }
    }
}
