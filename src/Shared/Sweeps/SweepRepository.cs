using System.Text.Json;
using DigitGan.Shared.Artifacts;

namespace DigitGan.Shared.Sweeps;

/// <summary>
/// Creates, reads, lists and updates sweeps in the artifact store (sweeps/{id}/manifest.json). Updates are
/// conditional writes, re-applied on a concurrent change, so a stop request and the coordinator never lose each
/// other's changes. A manifest that cannot be parsed makes only its own sweep Damaged.
/// </summary>
public sealed class SweepRepository(IArtifactStore store, TimeProvider? clock = null)
{
    private const int MaxAttempts = 100;
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public IArtifactStore Store => store;

    /// <summary>Validates and expands the spec (throws <see cref="SweepSpecException"/>) and writes the new sweep with its trials.</summary>
    public async Task<SweepManifest> CreateAsync(SweepSpec spec, string? createdBy, CancellationToken cancellationToken = default)
    {
        var sweepId = Guid.CreateVersion7(_clock.GetUtcNow());
        var manifest = new SweepManifest
        {
            SweepId = sweepId,
            Spec = spec,
            CreatedAt = _clock.GetUtcNow(),
            CreatedBy = createdBy,
            Trials = SweepExpansion.Expand(spec, sweepId),
        };
        await store.PutJsonAsync(SweepLayout.Manifest(sweepId), manifest, WriteCondition.IfNoneExists, cancellationToken).ConfigureAwait(false);
        return manifest;
    }

    /// <summary>The sweep; a Damaged stand-in when its manifest cannot be parsed; null when absent.</summary>
    public async Task<SweepManifest?> GetAsync(Guid sweepId, CancellationToken cancellationToken = default)
    {
        var path = SweepLayout.Manifest(sweepId);
        try
        {
            return (await store.GetJsonAsync<SweepManifest>(path, cancellationToken).ConfigureAwait(false))?.Value;
        }
        catch (InvalidDataException ex)
        {
            return SweepManifest.Damaged(sweepId, DamageReason(path, ex));
        }
    }

    /// <summary>The ids of every sweep in the store (one listing, no manifest read).</summary>
    public async Task<IReadOnlyList<Guid>> ListIdsAsync(CancellationToken cancellationToken = default)
    {
        var ids = new List<Guid>();
        await foreach (var info in store.ListAsync(SweepLayout.SweepsPrefix, cancellationToken).ConfigureAwait(false))
        {
            if (SweepLayout.SweepIdOfManifest(info.Path) is { } id)
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    /// <summary>Every sweep, newest first (damaged ones as such).</summary>
    public async Task<IReadOnlyList<SweepManifest>> ListAsync(CancellationToken cancellationToken = default)
    {
        var ids = await ListIdsAsync(cancellationToken).ConfigureAwait(false);
        var sweeps = await Task.WhenAll(ids.Select(id => GetAsync(id, cancellationToken))).ConfigureAwait(false);
        return [.. sweeps.OfType<SweepManifest>().OrderByDescending(s => s.SweepId.ToString("N")[..12], StringComparer.Ordinal).ThenByDescending(s => s.SweepId)];
    }

    /// <summary>
    /// Applies <paramref name="change"/> with a conditional write, re-reading and re-applying it on a concurrent change.
    /// A change that returns its input unchanged writes nothing. Throws <see cref="InvalidDataException"/> for a damaged sweep.
    /// </summary>
    public async Task<SweepManifest?> UpdateAsync(Guid sweepId, Func<SweepManifest, SweepManifest> change, CancellationToken cancellationToken = default)
    {
        var path = SweepLayout.Manifest(sweepId);
        for (var attempt = 1; ; attempt++)
        {
            if (await store.GetJsonAsync<SweepManifest>(path, cancellationToken).ConfigureAwait(false) is not var (current, etag))
            {
                return null;
            }

            var updated = change(current);
            if (ReferenceEquals(updated, current))
            {
                return current;
            }

            try
            {
                await store.PutJsonAsync(path, updated, WriteCondition.IfMatch(etag), cancellationToken).ConfigureAwait(false);
                return updated;
            }
            catch (ArtifactConflictException) when (attempt < MaxAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 + (5 * Math.Min(attempt, 20)))), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string DamageReason(string path, InvalidDataException ex)
        => $"Its manifest ({path}) cannot be read: {(ex.InnerException as JsonException)?.Message ?? ex.Message}";
}
