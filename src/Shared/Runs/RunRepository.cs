using DigitGan.Shared.Artifacts;

namespace DigitGan.Shared.Runs;

/// <summary>Creates, reads and updates run manifests in the artifact store; updates never overwrite a concurrent change.</summary>
public sealed class RunRepository(IArtifactStore store, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public IArtifactStore Store => store;

    /// <summary>Validates the spec and writes a new Queued manifest; throws <see cref="RunSpecException"/> for a bad spec.</summary>
    public async Task<RunManifest> CreateAsync(RunSpec spec, string? codeVersion = null, CancellationToken cancellationToken = default)
    {
        var errors = spec.Validate();
        if (errors.Count > 0)
        {
            throw new RunSpecException(errors);
        }

        var manifest = new RunManifest
        {
            RunId = Guid.CreateVersion7(_clock.GetUtcNow()),
            Spec = spec,
            CreatedAt = _clock.GetUtcNow(),
            CodeVersion = codeVersion,
            Progress = new RunProgress { TotalEpochs = spec.Epochs },
        };
        await store.PutJsonAsync(RunArtifactLayout.Manifest(manifest.RunId), manifest, WriteCondition.IfNoneExists, cancellationToken).ConfigureAwait(false);
        return manifest;
    }

    public async Task<RunManifest?> GetAsync(Guid runId, CancellationToken cancellationToken = default)
        => (await store.GetJsonAsync<RunManifest>(RunArtifactLayout.Manifest(runId), cancellationToken).ConfigureAwait(false))?.Value;

    /// <summary>
    /// Applies <paramref name="change"/> to the current manifest with a conditional write; on a concurrent change
    /// it re-reads and applies the change again, so no update is lost.
    /// </summary>
    public async Task<RunManifest> UpdateAsync(Guid runId, Func<RunManifest, RunManifest> change, CancellationToken cancellationToken = default)
    {
        var path = RunArtifactLayout.Manifest(runId);
        for (var attempt = 1; ; attempt++)
        {
            var (currentManifest, etag) = await store.GetJsonAsync<RunManifest>(path, cancellationToken).ConfigureAwait(false)
                ?? throw new RunNotFoundException(runId);
            var updated = change(currentManifest);
            try
            {
                await store.PutJsonAsync(path, updated, WriteCondition.IfMatch(etag), cancellationToken).ConfigureAwait(false);
                return updated;
            }
            catch (ArtifactConflictException) when (attempt < 20)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}

public sealed class RunNotFoundException(Guid runId) : Exception($"Run {runId} does not exist (no {RunArtifactLayout.Manifest(runId)} in the store).")
{
    public Guid RunId { get; } = runId;
}

public sealed class RunSpecException(IReadOnlyDictionary<string, string[]> errors)
    : Exception("The run spec is invalid: " + string.Join(" ", errors.SelectMany(e => e.Value)))
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}
