using System.Text.Json;
using DigitGan.Shared.Artifacts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DigitGan.Shared.Runs;

/// <summary>
/// Creates, reads, updates, lists and deletes runs in the artifact store. Manifest updates never overwrite a
/// concurrent change (conditional writes, re-applied on conflict), and every change is mirrored into the run
/// index (runs/index.json), so listing runs reads one small blob instead of every manifest. A missing or unreadable
/// index is rebuilt from every manifest; a manifest that cannot be parsed makes only its own run Damaged.
/// </summary>
public sealed class RunRepository(IArtifactStore store, TimeProvider? clock = null, ILogger? logger = null)
{
    private const int MaxAttempts = 200;
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    private readonly Lock _indexLock = new();
    private readonly Dictionary<Guid, RunSummary> _listed = [];
    private readonly Dictionary<Guid, RunSummary> _held = [];
    private DateTimeOffset _lastIndexWrite = DateTimeOffset.MinValue;

    public IArtifactStore Store => store;

    /// <summary>How long a change of progress alone may wait before it is written into the index (status changes never wait).</summary>
    public TimeSpan IndexFlushInterval { get; init; } = TimeSpan.FromSeconds(15);

    private int _indexWrites;
    private int _indexConflicts;

    /// <summary>How many index writes this repository's manifest updates made (the soak benchmark and tests count them).</summary>
    public int IndexWrites => Volatile.Read(ref _indexWrites);

    /// <summary>How many conditional index writes of this repository found the index changed and had to be applied again.</summary>
    public int IndexConflicts => Volatile.Read(ref _indexConflicts);

    /// <summary>The same repository (clock, log, held-back index changes apart) over another view of the store, e.g. one that checks a lease before each write.</summary>
    public RunRepository WithStore(IArtifactStore other) => new(other, _clock, _logger) { IndexFlushInterval = IndexFlushInterval };

    /// <summary>Validates the spec and writes a new Queued manifest; throws <see cref="RunSpecException"/> for a bad spec.</summary>
    /// <param name="runId">The run's id; a new one when null. With an id given, a run that exists already makes this throw <see cref="ArtifactConflictException"/> (a sweep's retried submit).</param>
    /// <param name="sweepId">The sweep the run belongs to, if any.</param>
    public async Task<RunManifest> CreateAsync(RunSpec spec, string? codeVersion = null, CancellationToken cancellationToken = default, string? createdBy = null,
        Guid? runId = null, Guid? sweepId = null)
    {
        var errors = spec.Validate();
        if (errors.Count > 0)
        {
            throw new RunSpecException(errors);
        }

        var checkpoint = spec.Parent is { } parent ? await FindParentCheckpointAsync(spec, parent, cancellationToken).ConfigureAwait(false) : null;
        var manifest = new RunManifest
        {
            RunId = runId ?? Guid.CreateVersion7(_clock.GetUtcNow()),
            Spec = spec,
            SweepId = sweepId,
            CreatedAt = _clock.GetUtcNow(),
            CodeVersion = codeVersion,
            CreatedBy = createdBy,
            Progress = new RunProgress { TotalEpochs = spec.Epochs, Epoch = spec.Parent?.Epoch ?? 0 },
            LatestCheckpointEpoch = spec.Parent?.Epoch ?? 0,
        };
        if (checkpoint is not null)
        {
            await CopyParentHistoryAsync(manifest.RunId, spec.Parent!, checkpoint, cancellationToken).ConfigureAwait(false);
        }

        await store.PutJsonAsync(RunArtifactLayout.Manifest(manifest.RunId), manifest, WriteCondition.IfNoneExists, cancellationToken).ConfigureAwait(false);
        await UpdateIndexAsync(runs => [RunSummary.From(manifest), .. runs.Where(r => r.RunId != manifest.RunId)], cancellationToken).ConfigureAwait(false);
        return manifest;
    }

    /// <summary>The parent's checkpoint of the fork's epoch (numbered, or `latest` when that is the epoch); a readable error otherwise.</summary>
    private async Task<string> FindParentCheckpointAsync(RunSpec spec, RunParent parent, CancellationToken cancellationToken)
    {
        RunSpecException Problem(string message) => new(new Dictionary<string, string[]> { ["parent"] = [message] });
        var parentManifest = await GetAsync(parent.RunId, cancellationToken).ConfigureAwait(false)
            ?? throw Problem($"The parent run {parent.RunId} does not exist.");
        foreach (var field in RunSpecSchema.Fields.Where(f => f.FixedForFork))
        {
            if (field.Display(parentManifest.Spec) != field.Display(spec))
            {
                throw new RunSpecException(new Dictionary<string, string[]>
                {
                    [field.Name] = [$"A fork keeps the parent's networks, so its {field.Label.ToLowerInvariant()} must be the parent's ({field.Display(parentManifest.Spec)}), not {field.Display(spec)}."],
                });
            }
        }

        if (parentManifest.CheckpointEpochs.Contains(parent.Epoch))
        {
            return RunArtifactLayout.Checkpoint(parent.RunId, parent.Epoch);
        }

        if (parentManifest.LatestCheckpointEpoch == parent.Epoch)
        {
            return RunArtifactLayout.LatestCheckpoint(parent.RunId);
        }

        var available = parentManifest.CheckpointEpochs.Append(parentManifest.LatestCheckpointEpoch).Where(e => e > 0).Distinct().Order();
        throw Problem($"Run {parent.RunId} has no checkpoint of epoch {parent.Epoch}; it has: {string.Join(", ", available.DefaultIfEmpty())}.");
    }

    /// <summary>A fork starts as its parent was at the checkpoint: that checkpoint as its `latest`, the metrics and grids up to it.</summary>
    private async Task CopyParentHistoryAsync(Guid runId, RunParent parent, string checkpoint, CancellationToken cancellationToken)
    {
        await CopyAsync(checkpoint, RunArtifactLayout.LatestCheckpoint(runId), cancellationToken).ConfigureAwait(false);
        for (var epoch = 1; epoch <= parent.Epoch; epoch++)
        {
            await CopyAsync(RunArtifactLayout.Sample(parent.RunId, epoch), RunArtifactLayout.Sample(runId, epoch), cancellationToken).ConfigureAwait(false);
        }

        if (await store.GetTextAsync(RunArtifactLayout.Metrics(parent.RunId), cancellationToken).ConfigureAwait(false) is { } metrics)
        {
            var kept = MetricsLines.UpToEpoch(metrics.Text, parent.Epoch);
            await store.PutTextAsync(RunArtifactLayout.Metrics(runId), string.Join('\n', kept) + "\n", cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CopyAsync(string from, string to, CancellationToken cancellationToken)
    {
        var reader = await store.OpenReadAsync(from, cancellationToken).ConfigureAwait(false);
        if (reader is null)
        {
            return;
        }

        await using (reader.ConfigureAwait(false))
        {
            await store.PutAsync(to, reader.Content, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The run's manifest; a Damaged stand-in (listed as such from then on) when it cannot be parsed; null when absent.</summary>
    /// <summary>A run's metrics.jsonl read into steps, epochs, evaluations and health records; empty when it has none.</summary>
    public async Task<RunHistory> ReadHistoryAsync(Guid runId, CancellationToken cancellationToken = default)
        => RunHistory.Parse((await Store.GetTextAsync(RunArtifactLayout.Metrics(runId), cancellationToken).ConfigureAwait(false))?.Text);

    public async Task<RunManifest?> GetAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        var manifest = await ReadManifestAsync(runId, cancellationToken).ConfigureAwait(false);
        if (manifest is { Status: RunStatus.Damaged })
        {
            var marked = false;
            await UpdateIndexAsync(runs =>
            {
                marked = !runs.Any(r => r.RunId == runId && r.Status == RunStatus.Damaged);
                return marked ? [.. runs.Where(r => r.RunId != runId), RunSummary.From(manifest)] : null;
            }, cancellationToken).ConfigureAwait(false);
            if (marked)
            {
                _logger.LogWarning("Run {RunId} is damaged and now lists as such: {Reason}", runId, manifest.Error);
            }
        }

        return manifest;
    }

    private async Task<RunManifest?> ReadManifestAsync(Guid runId, CancellationToken cancellationToken)
    {
        var path = RunArtifactLayout.Manifest(runId);
        try
        {
            return (await store.GetJsonAsync<RunManifest>(path, cancellationToken).ConfigureAwait(false))?.Value;
        }
        catch (InvalidDataException ex)
        {
            return RunManifest.Damaged(runId, DamageReason(path, ex));
        }
    }

    private static string DamageReason(string path, InvalidDataException ex)
        => $"Its manifest ({path}) cannot be read: {(ex.InnerException as JsonException)?.Message ?? ex.Message} Delete the run to remove its folder.";

    /// <summary>
    /// Applies <paramref name="change"/> to the current manifest with a conditional write; on a concurrent change
    /// it re-reads and applies the change again, so no update is lost.
    /// </summary>
    public async Task<RunManifest> UpdateAsync(Guid runId, Func<RunManifest, RunManifest> change, CancellationToken cancellationToken = default)
    {
        var path = RunArtifactLayout.Manifest(runId);
        for (var attempt = 1; ; attempt++)
        {
            (RunManifest Value, string ETag)? read;
            try
            {
                read = await store.GetJsonAsync<RunManifest>(path, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException ex)
            {
                throw new RunDamagedException(runId, DamageReason(path, ex));
            }

            var (currentManifest, etag) = read ?? throw new RunNotFoundException(runId);
            var updated = change(currentManifest);
            try
            {
                await store.PutJsonAsync(path, updated, WriteCondition.IfMatch(etag), cancellationToken).ConfigureAwait(false);
                await ListSummaryAsync(RunSummary.From(updated), cancellationToken).ConfigureAwait(false);
                return updated;
            }
            catch (ArtifactConflictException) when (attempt < MaxAttempts)
            {
                await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Mirrors a run's summary into the index. A change of what identifies or ends a run (status, name, tags, times,
    /// error) is written at once, with every change held back before it. A change of progress alone (epoch, losses,
    /// FID, speed, ETA: the 5-s progress writes and the epoch ends) is held back and written at most once per
    /// <see cref="IndexFlushInterval"/>, so a training run rewrites the shared index a few times a minute, not at every
    /// manifest write. Only changes this repository itself wrote before are held back; a crash loses at most the held
    /// progress, which the next write of the run (or the start-up reconciliation) brings back.
    /// </summary>
    private async Task ListSummaryAsync(RunSummary summary, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        lock (_indexLock)
        {
            if (_listed.TryGetValue(summary.RunId, out var listed) && SameSummary(listed, summary))
            {
                _held.Remove(summary.RunId);
                return;
            }

            if (listed is not null && SameExceptProgress(listed, summary) && now - _lastIndexWrite < IndexFlushInterval)
            {
                _held[summary.RunId] = summary;
                return;
            }

            _held[summary.RunId] = summary;
        }

        await FlushIndexAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes the index list the run as its manifest says (a job that finds its run finished calls it: a worker that
    /// died between the run's last manifest write and its index update left the index behind).
    /// </summary>
    public Task RelistAsync(RunManifest manifest, CancellationToken cancellationToken = default)
    {
        var summary = RunSummary.From(manifest);
        return UpdateIndexAsync(runs => runs.Any(r => SameSummary(r, summary)) ? null : [.. runs.Where(r => r.RunId != summary.RunId), summary], cancellationToken);
    }

    /// <summary>Writes every summary held back (see <see cref="IndexFlushInterval"/>) into the index now; nothing when none is.</summary>
    public async Task FlushIndexAsync(CancellationToken cancellationToken = default)
    {
        Dictionary<Guid, RunSummary> held;
        lock (_indexLock)
        {
            if (_held.Count == 0)
            {
                return;
            }

            held = new Dictionary<Guid, RunSummary>(_held);
            _held.Clear();
        }

        bool wrote;
        try
        {
            wrote = await UpdateIndexAsync(runs => held.Values.All(s => runs.Any(r => SameSummary(r, s)))
                ? null
                : [.. runs.Where(r => !held.ContainsKey(r.RunId)), .. held.Values], cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_indexLock)
            {
                foreach (var (runId, summary) in held)
                {
                    _held.TryAdd(runId, summary);
                }
            }

            throw;
        }

        lock (_indexLock)
        {
            _lastIndexWrite = _clock.GetUtcNow();
            foreach (var (runId, summary) in held)
            {
                _listed[runId] = summary;
            }
        }

        if (wrote)
        {
            Interlocked.Increment(ref _indexWrites);
        }
    }

    /// <summary>
    /// Makes the index list exactly what the manifests hold (after a crash between a manifest write and its index
    /// update, or held-back progress lost with its process); writes it only when it differs. Returns every summary.
    /// </summary>
    public async Task<IReadOnlyList<RunSummary>> ReconcileIndexAsync(CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (index, etag, problem) = await TryReadIndexAsync(cancellationToken).ConfigureAwait(false);
            var manifests = Sorted(await SummarizeManifestsAsync(cancellationToken).ConfigureAwait(false));
            if (index is not null && index.Runs.Count == manifests.Runs.Count && index.Runs.Zip(manifests.Runs).All(p => SameSummary(p.First, p.Second)))
            {
                return manifests.Runs;
            }

            try
            {
                await store.PutJsonAsync(RunArtifactLayout.RunIndex, manifests, Unchanged(etag), cancellationToken).ConfigureAwait(false);
                var differing = index is null ? manifests.Runs.Count : manifests.Runs.Count(m => !index.Runs.Any(r => SameSummary(r, m))) + index.Runs.Count(r => !manifests.Runs.Any(m => m.RunId == r.RunId));
                _logger.LogInformation("Reconciled the run index ({Problem}) with {Count} manifest(s): {Differing} entr(ies) differed.", index is null ? problem : "out of step", manifests.Runs.Count, differing);
                return manifests.Runs;
            }
            catch (ArtifactConflictException) when (attempt < MaxAttempts)
            {
                await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs matching the query, newest first, from the index (rebuilt from the manifests if it is missing).</summary>
    public async Task<RunPage> ListAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        var index = await ReadIndexAsync(cancellationToken).ConfigureAwait(false);
        var matching = index.Runs
            .Where(query.Matches)
            .ToList();
        var pageSize = Math.Clamp(query.PageSize, 1, RunQuery.MaxPageSize);
        var page = Math.Clamp(query.Page, 1, RunQuery.MaxPage);
        var skip = (long)(page - 1) * pageSize;
        return new RunPage([.. matching.Skip((int)Math.Min(skip, matching.Count)).Take(pageSize)], matching.Count, page, pageSize);
    }

    /// <summary>Deletes every artifact of the run and its index entry; false when the run did not exist.</summary>
    public async Task<bool> DeleteAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        var found = false;
        var paths = new List<string>();
        await foreach (var info in store.ListAsync(RunArtifactLayout.RunPrefix(runId), cancellationToken).ConfigureAwait(false))
        {
            paths.Add(info.Path);
        }

        // The manifest last: a half-finished delete still shows the run, and deleting again completes it.
        foreach (var path in paths.OrderBy(p => p == RunArtifactLayout.Manifest(runId)))
        {
            found |= await store.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
        }

        await UpdateIndexAsync(runs => [.. runs.Where(r => r.RunId != runId)], cancellationToken).ConfigureAwait(false);
        return found;
    }

    /// <summary>Rewrites the index from every manifest (after a crash between a manifest write and its index update).</summary>
    public async Task<RunIndex> RebuildIndexAsync(CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var seen = await store.GetInfoAsync(RunArtifactLayout.RunIndex, cancellationToken).ConfigureAwait(false);
            var rebuilt = Sorted(await SummarizeManifestsAsync(cancellationToken).ConfigureAwait(false));
            try
            {
                await store.PutJsonAsync(RunArtifactLayout.RunIndex, rebuilt, Unchanged(seen?.ETag), cancellationToken).ConfigureAwait(false);
                _logger.LogInformation("Rebuilt the run index from {Count} manifest(s).", rebuilt.Runs.Count);
                return rebuilt;
            }
            catch (ArtifactConflictException) when (attempt < MaxAttempts)
            {
                await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The summary of every manifest in the store; a storage fault propagates, so no index is ever built from fewer.</summary>
    private async Task<List<RunSummary>> SummarizeManifestsAsync(CancellationToken cancellationToken)
    {
        var summaries = new List<RunSummary>();
        await foreach (var info in store.ListAsync(RunArtifactLayout.RunsPrefix, cancellationToken).ConfigureAwait(false))
        {
            if (RunArtifactLayout.RunIdOfManifest(info.Path) is { } runId
                && await ReadManifestAsync(runId, cancellationToken).ConfigureAwait(false) is { } manifest)
            {
                if (manifest.Status == RunStatus.Damaged)
                {
                    _logger.LogWarning("Run {RunId} is damaged and lists as such: {Reason}", runId, manifest.Error);
                }

                summaries.Add(RunSummary.From(manifest));
            }
        }

        return summaries;
    }

    private async Task<RunIndex> ReadIndexAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (index, etag, problem) = await TryReadIndexAsync(cancellationToken).ConfigureAwait(false);
            if (index is not null)
            {
                return index;
            }

            _logger.LogWarning("The run index is {Problem}; rebuilding it from the manifests.", problem);
            var rebuilt = Sorted(await SummarizeManifestsAsync(cancellationToken).ConfigureAwait(false));
            try
            {
                await store.PutJsonAsync(RunArtifactLayout.RunIndex, rebuilt, Unchanged(etag), cancellationToken).ConfigureAwait(false);
                _logger.LogInformation("Rebuilt the run index from {Count} manifest(s).", rebuilt.Runs.Count);
                return rebuilt;
            }
            catch (ArtifactConflictException) when (attempt < MaxAttempts)
            {
                // Another writer replaced the index meanwhile: read theirs.
                await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The index and its ETag; for a missing or unreadable one, no index, the ETag it has (if any) and what is wrong.</summary>
    private async Task<(RunIndex? Index, string? ETag, string Problem)> TryReadIndexAsync(CancellationToken cancellationToken)
    {
        var text = await store.GetTextAsync(RunArtifactLayout.RunIndex, cancellationToken).ConfigureAwait(false);
        if (text is not { } found)
        {
            return (null, null, "missing");
        }

        try
        {
            return JsonSerializer.Deserialize<RunIndex>(found.Text, ArtifactJson.Options) switch
            {
                null => (null, found.ETag, "empty (JSON null)"),
                { } index when index.Runs.Any(r => r.Spec is null) => (null, found.ETag, "from an earlier version (its summaries lack the specs)"),
                { } index => (index, found.ETag, ""),
            };
        }
        catch (JsonException ex)
        {
            return (null, found.ETag, $"unreadable ({ex.Message})");
        }
    }

    /// <summary>
    /// Applies <paramref name="change"/> (null: nothing to change) to the index with a conditional write; a missing or
    /// unreadable index is first rebuilt from the manifests, so a write never drops the runs it did not know of.
    /// </summary>
    private async Task<bool> UpdateIndexAsync(Func<IReadOnlyList<RunSummary>, IEnumerable<RunSummary>?> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (index, etag, problem) = await TryReadIndexAsync(cancellationToken).ConfigureAwait(false);
            IReadOnlyList<RunSummary> runs;
            if (index is not null)
            {
                runs = index.Runs;
            }
            else
            {
                _logger.LogWarning("The run index is {Problem}; rebuilding it from the manifests.", problem);
                runs = await SummarizeManifestsAsync(cancellationToken).ConfigureAwait(false);
            }

            var changed = change(runs);
            if (changed is null && index is not null)
            {
                return false;
            }

            var updated = Sorted(changed ?? runs);
            try
            {
                await store.PutJsonAsync(RunArtifactLayout.RunIndex, updated, Unchanged(etag), cancellationToken).ConfigureAwait(false);
                if (index is null)
                {
                    _logger.LogInformation("Rebuilt the run index from {Count} manifest(s).", runs.Count);
                }

                return true;
            }
            catch (ArtifactConflictException) when (attempt < MaxAttempts)
            {
                Interlocked.Increment(ref _indexConflicts);
                await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Only what the list shows is in a summary: a change it does not show (a job id, a cancel request) leaves the index unwritten.
    private static bool SameSummary(RunSummary listed, RunSummary summary)
        => listed.RunId == summary.RunId && listed.Tags.SequenceEqual(summary.Tags, StringComparer.Ordinal)
           && listed.Spec is { } spec && summary.Spec is { } other && spec.Tags.SequenceEqual(other.Tags, StringComparer.Ordinal)
           && listed with { Tags = summary.Tags, Spec = spec with { Tags = other.Tags } } == summary;

    // Equal but for progress (epoch, losses, FID, speed, ETA, checkpoint epoch): such a change may be held back.
    private static bool SameExceptProgress(RunSummary listed, RunSummary summary) => SameSummary(listed, summary with
    {
        Epoch = listed.Epoch,
        ImagesPerSecond = listed.ImagesPerSecond,
        EtaSeconds = listed.EtaSeconds,
        LastDLoss = listed.LastDLoss,
        LastGLoss = listed.LastGLoss,
        LatestFid = listed.LatestFid,
        FidFloor = listed.FidFloor,
        BestFid = listed.BestFid,
        LatestCheckpointEpoch = listed.LatestCheckpointEpoch,
    });

    private static RunIndex Sorted(IEnumerable<RunSummary> runs)
        => new() { Runs = [.. runs.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.RunId)] };

    private static WriteCondition Unchanged(string? etag) => etag is null ? WriteCondition.IfNoneExists : WriteCondition.IfMatch(etag);

    // Jittered, growing waits: many writers contending for one blob spread out instead of colliding in lockstep.
    private static Task BackOffAsync(int attempt, CancellationToken cancellationToken)
        => Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 + (5 * Math.Min(attempt, 20)))), cancellationToken);
}
