using DigitGan.Shared.Artifacts;

namespace DigitGan.Shared.Runs;

/// <summary>
/// Finds, and removes when asked, what no run owns: the artifacts of run folders without a manifest (a deleted run's
/// leftovers), and on the file store the temp files of crashed writes and the lock files of deleted artifacts and of
/// finished runs' leases. Only what is older than the minimum age counts: a fork copies its files before its manifest.
/// </summary>
public sealed class StoreGarbageCollector(IArtifactStore store, TimeProvider? clock = null)
{
    public static readonly TimeSpan DefaultMinAge = TimeSpan.FromHours(1);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async Task<StoreGarbageReport> CollectAsync(bool remove, TimeSpan minAge, CancellationToken cancellationToken = default)
    {
        var all = new List<ArtifactInfo>();
        await foreach (var info in store.ListAsync("", cancellationToken).ConfigureAwait(false))
        {
            all.Add(info);
        }

        var runs = all.Where(a => RunArtifactLayout.RunIdOf(a.Path) is not null).GroupBy(a => RunArtifactLayout.RunIdOf(a.Path)!.Value).ToList();
        var orphans = new List<string>();
        var liveRuns = new List<Guid>();
        foreach (var run in runs)
        {
            if (run.Any(a => a.Path == RunArtifactLayout.Manifest(run.Key)))
            {
                liveRuns.Add(run.Key);
            }
            else if (run.All(a => _clock.GetUtcNow() - a.LastModified >= minAge))
            {
                orphans.AddRange(run.Select(a => a.Path));
            }
        }

        if (remove)
        {
            foreach (var path in orphans)
            {
                await store.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
            }
        }

        if (store is not FileArtifactStore files)
        {
            return new StoreGarbageReport(orphans, [], [], remove);
        }

        var live = all.Select(a => a.Path).Except(orphans).Select(FileArtifactStore.WriteLockName).ToHashSet();
        foreach (var runId in liveRuns)
        {
            // A finished run's lease is never taken again by a job (it checks first), so its lock file may go.
            if (!await IsFinishedAsync(runId, cancellationToken).ConfigureAwait(false))
            {
                live.Add(FileArtifactStore.LeaseLockName(RunArtifactLayout.Lease(runId)));
            }
        }

        live.Add(FileArtifactStore.WriteLockName(RunArtifactLayout.RunIndex));
        var temps = files.SweepStaleTempFiles(minAge, remove);
        var locks = files.SweepLockFiles(live, minAge, remove);
        return new StoreGarbageReport(orphans, temps, locks, remove);
    }

    // Read directly rather than through RunRepository, which marks a damaged run in the index: a dry run writes nothing.
    private async Task<bool> IsFinishedAsync(Guid runId, CancellationToken cancellationToken)
    {
        try
        {
            return (await store.GetJsonAsync<RunManifest>(RunArtifactLayout.Manifest(runId), cancellationToken).ConfigureAwait(false))?.Value.IsFinished ?? true;
        }
        catch (InvalidDataException)
        {
            return true; // damaged: nothing trains it again
        }
    }
}
