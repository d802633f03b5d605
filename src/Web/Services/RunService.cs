using System.Security.Claims;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Export;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Imaging;
using DigitGan.Shared.Jobs;
using DigitGan.Shared.Runs;
using DigitGan.Web.Security;
using Hangfire;
using Microsoft.Extensions.Options;

namespace DigitGan.Web.Services;

/// <summary>
/// Owns the run lifecycle for the API and the pages: validates and submits runs (manifest first, then the job),
/// lists them from the index, cancels and deletes them, and serves their artifacts.
/// </summary>
public sealed class RunService(RunRepository runs, IBackgroundJobClient jobs, JobStorage jobStorage, ILogger<RunService> logger, IOptions<DigitGanOptions>? options = null)
{
    private readonly LimitsOptions _limits = options?.Value.Limits ?? new LimitsOptions();

    /// <summary>How long a delete waits for a running job to stop after its cancel.</summary>
    public static readonly TimeSpan DeleteWait = TimeSpan.FromSeconds(30);

    public IArtifactStore Store => runs.Store;

    /// <summary>
    /// Validates the spec (throws <see cref="RunSpecException"/>), checks the queued-runs cap (throws
    /// <see cref="RunQueueFullException"/>), writes the Queued manifest and enqueues its job.
    /// </summary>
    /// <param name="runId">A fixed id for the run (a sweep's trial); when a run with it exists already, that run is returned and nothing is enqueued.</param>
    /// <param name="sweepId">The sweep that submits the run.</param>
    public async Task<RunManifest> SubmitAsync(RunSpec spec, ClaimsPrincipal user, CancellationToken cancellationToken = default, Guid? runId = null, Guid? sweepId = null)
    {
        var by = RunAccess.RequireOperator(user, "start runs");
        if (spec.Validate() is { Count: > 0 } errors)
        {
            throw new RunSpecException(errors);
        }

        // A soft cap: submits racing each other may pass it by a few, which is all it needs to bound the queue.
        var queued = (await runs.ListAsync(new RunQuery { Status = RunStatus.Queued, PageSize = 1 }, cancellationToken).ConfigureAwait(false)).Total;
        if (queued >= _limits.MaxQueuedRuns)
        {
            throw new RunQueueFullException(_limits.MaxQueuedRuns, _limits.QueueFullRetryAfterSeconds);
        }

        if (runId is { } fixedId && await runs.GetAsync(fixedId, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        RunManifest manifest;
        try
        {
            manifest = await runs.CreateAsync(spec, CodeVersion.Current, cancellationToken, createdBy: by, runId: runId, sweepId: sweepId).ConfigureAwait(false);
        }
        catch (ArtifactConflictException) when (runId is not null)
        {
            // Submitted meanwhile (a retry racing the first attempt): that run stands, and its own submit enqueued it.
            return await runs.GetAsync(runId.Value, cancellationToken).ConfigureAwait(false) ?? throw new RunNotFoundException(runId.Value);
        }

        logger.LogInformation("Run {RunId} ({Name}) submitted by {User}.", manifest.RunId, spec.Name, by);
        return await EnqueueAsync(manifest.RunId, cancellationToken).ConfigureAwait(false);
    }

    public Task<RunPage> ListAsync(RunQuery query, CancellationToken cancellationToken = default) => runs.ListAsync(query, cancellationToken);

    /// <summary>Every run matching the filter, newest first (the index is one blob, so this is one read).</summary>
    public Task<IReadOnlyList<RunSummary>> ListAllAsync(RunStatus? status = null, string? tag = null, CancellationToken cancellationToken = default)
        => ListAllAsync(new RunQuery { Status = status, Tag = tag }, cancellationToken);

    /// <summary>Every run the query matches (its page and page size aside), newest first.</summary>
    public async Task<IReadOnlyList<RunSummary>> ListAllAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        var all = new List<RunSummary>();
        for (var page = 1; ; page++)
        {
            var result = await runs.ListAsync(query with { Page = page, PageSize = RunQuery.MaxPageSize }, cancellationToken).ConfigureAwait(false);
            all.AddRange(result.Runs);
            if (page * result.PageSize >= result.Total || result.Runs.Count == 0)
            {
                return all;
            }
        }
    }

    public Task<RunManifest?> GetAsync(Guid runId, CancellationToken cancellationToken = default) => runs.GetAsync(runId, cancellationToken);

    /// <summary>
    /// A queued run is cancelled at once; a running one gets a cancel request that its worker honours at the next
    /// step (within a few seconds) and then marks it Cancelled. A finished run is left as it is.
    /// </summary>
    /// <param name="reason">Why, when not on a person's request (a sweep's stop): it becomes the run's error.</param>
    public async Task<RunManifest> CancelAsync(Guid runId, ClaimsPrincipal user, CancellationToken cancellationToken = default, string? reason = null)
    {
        var by = RunAccess.RequireOperator(user, "cancel runs");
        if (await runs.GetAsync(runId, cancellationToken).ConfigureAwait(false) is { Status: RunStatus.Damaged } damaged)
        {
            return damaged; // nothing runs from an unreadable manifest, and it cannot be rewritten
        }

        var manifest = await runs.UpdateAsync(runId, m => m.IsFinished ? m : m with
        {
            CancelRequestedAt = m.CancelRequestedAt ?? DateTimeOffset.UtcNow,
            CancelledBy = m.CancelledBy ?? by,
            CancelReason = m.CancelReason ?? reason,
            Status = m.Status == RunStatus.Queued ? RunStatus.Cancelled : m.Status,
            FinishedAt = m.Status == RunStatus.Queued ? DateTimeOffset.UtcNow : m.FinishedAt,
            Error = m.Status == RunStatus.Queued ? m.CancelReason ?? reason ?? "Cancelled on request before it started." : m.Error,
        }, cancellationToken).ConfigureAwait(false);
        if (manifest.Status == RunStatus.Cancelled && manifest.JobId is { } jobId)
        {
            jobs.Delete(jobId);
        }

        logger.LogInformation("Run {RunId}: cancel requested by {User} ({Status}).", runId, by, manifest.Status);
        return manifest;
    }

    /// <summary>
    /// Changes the run's name, tags or notes (throws <see cref="RunSpecException"/> naming a bad field): a conditional
    /// write of the manifest, re-applied on a concurrent change, and the index follows. The training fields never change.
    /// </summary>
    public async Task<RunManifest> EditAsync(Guid runId, RunEdit edit, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var by = RunAccess.RequireOperator(user, "edit runs");
        var manifest = await runs.UpdateAsync(runId, m => edit.Validate(m.Spec) is { Count: > 0 } errors
            ? throw new RunSpecException(errors)
            : m with { Spec = edit.ApplyTo(m.Spec) }, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Run {RunId}: {Fields} edited by {User}.", runId,
            string.Join(", ", RunEdit.EditableFields.Where(f => f switch { "name" => edit.Name is not null, "tags" => edit.Tags is not null, _ => edit.Notes is not null })), by);
        return manifest;
    }

    /// <summary>Cancels the run first, waits for its worker to stop, then deletes every artifact; false when it did not exist.</summary>
    public async Task<bool> DeleteAsync(Guid runId, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var by = RunAccess.RequireOperator(user, "delete runs");
        if (await runs.GetAsync(runId, cancellationToken).ConfigureAwait(false) is null)
        {
            return false;
        }

        logger.LogInformation("Run {RunId}: deleted by {User}.", runId, by);
        var manifest = await CancelAsync(runId, user, cancellationToken).ConfigureAwait(false);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (manifest.Status == RunStatus.Running && waited.Elapsed < DeleteWait)
        {
            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            manifest = await runs.GetAsync(runId, cancellationToken).ConfigureAwait(false) ?? manifest;
        }

        return await runs.DeleteAsync(runId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Brings the index in step with the manifests, then enqueues the runs left Queued or Running without a live job (a
    /// crash between the manifest write and the enqueue, or a queue that lost them); returns how many. A job a dead worker held stays live: the queue hands it
    /// to the next worker.
    /// </summary>
    public async Task<int> RequeueUnfinishedAsync(CancellationToken cancellationToken = default)
    {
        // From the manifests, not the index: a crash between a manifest write and its index update (a submit, a
        // worker's last write) leaves the index behind, and this brings it back in step first.
        var unfinished = (await runs.ReconcileIndexAsync(cancellationToken).ConfigureAwait(false))
            .Where(r => r.Status is RunStatus.Queued or RunStatus.Running).Select(r => r.RunId).ToList();

        var count = 0;
        foreach (var runId in unfinished)
        {
            // One run at a time: a run that cannot be enqueued is logged and the others still are.
            try
            {
                var manifest = await runs.GetAsync(runId, cancellationToken).ConfigureAwait(false);
                if (manifest is null || manifest.IsFinished || (manifest.JobId is { } jobId && IsLive(jobId)))
                {
                    continue; // gone, damaged or finished meanwhile, or a shared queue still holds its job
                }

                await EnqueueAsync(runId, cancellationToken).ConfigureAwait(false);
                count++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Run {RunId} could not be enqueued again: {Error}", runId, ex.Message);
            }
        }

        if (count > 0)
        {
            logger.LogInformation("Enqueued {Count} unfinished run(s) again.", count);
        }

        return count;
    }

    /// <summary>The run's metrics.jsonl by kind (empty before the first epoch).</summary>
    public Task<RunHistory> GetHistoryAsync(Guid runId, CancellationToken cancellationToken = default)
        => runs.ReadHistoryAsync(runId, cancellationToken);

    /// <summary>One fixed-noise digit (0-15) of an epoch's sample grid as a 28x28 PNG; null when the grid does not exist.</summary>
    public async Task<byte[]?> GetSampleCellAsync(Guid runId, int epoch, int cell, CancellationToken cancellationToken = default)
    {
        var png = await runs.Store.GetBytesAsync(RunArtifactLayout.Sample(runId, epoch), cancellationToken).ConfigureAwait(false);
        return png is null ? null : PngEncoder.Encode(SampleGridLayout.Cell(PngDecoder.Decode(png, RunArtifactLayout.Sample(runId, epoch)), cell));
    }

    /// <summary>The run's checkpoints: the numbered ones and `latest`, with their sizes.</summary>
    public async Task<IReadOnlyList<CheckpointFile>> ListCheckpointsAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        var files = new List<CheckpointFile>();
        await foreach (var info in runs.Store.ListAsync(RunArtifactLayout.CheckpointsPrefix(runId), cancellationToken).ConfigureAwait(false))
        {
            var name = Path.GetFileNameWithoutExtension(info.Path);
            int? epoch = name.StartsWith("epoch-", StringComparison.Ordinal) && int.TryParse(name.AsSpan(6), out var e) ? e : null;
            files.Add(new CheckpointFile(epoch is null ? name : epoch.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), epoch, info.Length, info.LastModified));
        }

        return files;
    }

    /// <summary>Opens a checkpoint ("latest" or an epoch number) for streaming; null when there is none.</summary>
    public Task<ArtifactReader?> OpenCheckpointAsync(Guid runId, string name, CancellationToken cancellationToken = default)
    {
        var path = name == "latest" ? RunArtifactLayout.LatestCheckpoint(runId)
            : int.TryParse(name, out var epoch) && epoch > 0 ? RunArtifactLayout.Checkpoint(runId, epoch)
            : null;
        return path is null ? Task.FromResult<ArtifactReader?>(null) : runs.Store.OpenReadAsync(path, cancellationToken);
    }

    /// <summary>
    /// The generator of a checkpoint ("latest" or an epoch number) as safetensors for PyTorch (docs/export.md); null when
    /// there is no such checkpoint; <see cref="InvalidDataException"/> when the checkpoint does not check out.
    /// </summary>
    public async Task<GeneratorFile?> ExportGeneratorAsync(Guid runId, string name, CancellationToken cancellationToken = default)
    {
        var path = name == "latest" ? RunArtifactLayout.LatestCheckpoint(runId)
            : int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var epoch) && epoch > 0 ? RunArtifactLayout.Checkpoint(runId, epoch)
            : null;
        return path is not null && await runs.Store.GetBytesAsync(path, cancellationToken).ConfigureAwait(false) is { } bytes
            ? GeneratorExport.FromCheckpoint(bytes, path)
            : null;
    }

    private bool IsLive(string jobId)
    {
        using var connection = jobStorage.GetConnection();
        return connection.GetStateData(jobId)?.Name is "Enqueued" or "Processing" or "Scheduled" or "Awaiting";
    }

    /// <summary>
    /// Enqueues the run's job. A queue fault is retried a few times within about 4 s: after a PostgreSQL restart the
    /// connection pool still holds connections the server closed, and each fails once before a fresh one is opened.
    /// (A job enqueued twice is harmless: the run's lease and its finished status make the second one do nothing.)
    /// </summary>
    private async Task<RunManifest> EnqueueAsync(Guid runId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var jobId = jobs.Enqueue<ITrainingJob>(job => job.RunAsync(runId, CancellationToken.None));
                return await runs.UpdateAsync(runId, m => m with { JobId = jobId }, cancellationToken).ConfigureAwait(false);
            }
            catch (Hangfire.BackgroundJobClientException ex) when (attempt < EnqueueAttempts)
            {
                logger.LogWarning("Run {RunId}: enqueue attempt {Attempt} failed ({Error}); trying again.", runId, attempt, ex.InnerException?.Message ?? ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(250 << (attempt - 1)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private const int EnqueueAttempts = 5;
}
