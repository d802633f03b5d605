using DigitGan.Jobs.Model;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Jobs;
using DigitGan.Shared.Runs;
using Microsoft.Extensions.Logging;

namespace DigitGan.Jobs.Training;

/// <summary>
/// The Hangfire job: trains one run in this process. Idempotent (a finished or deleted run is left alone; an
/// interrupted one resumes from its latest checkpoint). A cancel request in the manifest stops training at the
/// next step (the manifest is polled every second, so a cancel lands within a few seconds on any storage). A
/// shutdown leaves the run Queued for the next worker. Only transient faults are rethrown for Hangfire to retry.
/// </summary>
public sealed class TrainingJob(IArtifactStore store, ILogger<TrainingJob> logger) : ITrainingJob
{
    public static readonly TimeSpan CancelPollInterval = TimeSpan.FromSeconds(1);

    private static readonly Lock ThreadsLock = new();
    private static int? threads;

    public async Task RunAsync(Guid runId, CancellationToken cancellationToken)
    {
        var runs = new RunRepository(store, logger: logger);
        var manifest = await runs.GetAsync(runId, cancellationToken).ConfigureAwait(false);
        if (manifest is null)
        {
            logger.LogInformation("Run {RunId} no longer exists; nothing to do.", runId);
            return;
        }

        if (manifest.IsFinished)
        {
            logger.LogInformation("Run {RunId} is already {Status}; nothing to do.", runId, manifest.Status);
            await runs.RelistAsync(manifest, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (manifest.CancelRequestedAt is not null)
        {
            await runs.UpdateAsync(runId, Cancelled, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        await runs.UpdateAsync(runId, m => m with { PickedUpAt = DateTimeOffset.UtcNow }, cancellationToken).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var watcherStop = new CancellationTokenSource();
        var watcher = WatchForCancelAsync(runs, runId, stop, watcherStop.Token);
        var device = TorchRuntime.SelectDevice();
        var threadCount = ConfigureThreadsOnce();
        logger.LogInformation("Training run {RunId} on {Device} with {Threads} threads.", runId, device.type, threadCount);
        var runner = new TrainingRunner(runs, new LoggingTrainingObserver(logger, runId), m => cancellationToken.IsCancellationRequested
            ? m with { Status = RunStatus.Queued, Error = $"The worker stopped during epoch {m.LatestCheckpointEpoch + 1}; the run resumes from its epoch-{m.LatestCheckpointEpoch} checkpoint." }
            : Cancelled(m), store is FileArtifactStore ? null : DataPaths.DatasetCache);
        try
        {
            await runner.RunAsync(runId, device, threadCount, stop.Token).ConfigureAwait(false);
        }
        catch (RunLeaseLostException)
        {
            // Another worker may hold the run now: this attempt leaves the manifest alone and Hangfire retries it.
            logger.LogWarning("Run {RunId}: the lease was lost while training; stopped without writing more, retrying later.", runId);
            throw;
        }
        catch (RunLeasedException)
        {
            // Another worker holds the run's lease: a live one finishes the run, a dead one's lease lapses within a
            // minute. Either way this attempt leaves the manifest alone and lets Hangfire retry it later.
            logger.LogInformation("Run {RunId} is leased by another worker; retrying later.", runId);
            throw;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("Run {RunId} was cancelled on request.", runId);
        }
        catch (NonFiniteTrainingException ex)
        {
            logger.LogError("Run {RunId} failed: {Error}", runId, ex.Message);
        }
        catch (Exception ex) when (ex is InvalidDataException or FileNotFoundException or RunSpecException or ArgumentException)
        {
            // Bad data or a bad spec: retrying cannot help, so the run fails once with the reason.
            logger.LogError("Run {RunId} failed: {Error}", runId, ex.Message);
            await runs.UpdateAsync(runId, m => m with { Status = RunStatus.Failed, FinishedAt = DateTimeOffset.UtcNow, Error = ex.Message }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not RunNotFoundException)
        {
            logger.LogWarning(ex, "Run {RunId}: attempt failed; Hangfire retries it.", runId);
            await runs.UpdateAsync(runId, m => m with { Status = RunStatus.Queued, Error = $"An attempt failed and will be retried: {ex.Message}" }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        finally
        {
            await watcherStop.CancelAsync().ConfigureAwait(false);
            await watcher.ConfigureAwait(false);
        }
    }

    private static RunManifest Cancelled(RunManifest m) => m with
    {
        Status = RunStatus.Cancelled,
        FinishedAt = DateTimeOffset.UtcNow,
        Error = m.CancelReason ?? $"Cancelled on request during epoch {m.LatestCheckpointEpoch + 1}; the epoch-{m.LatestCheckpointEpoch} checkpoint is kept.",
    };

    private async Task WatchForCancelAsync(RunRepository runs, Guid runId, CancellationTokenSource stop, CancellationToken watcherStop)
    {
        using var timer = new PeriodicTimer(CancelPollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(watcherStop).ConfigureAwait(false))
            {
                try
                {
                    var manifest = await runs.GetAsync(runId, watcherStop).ConfigureAwait(false);
                    if (manifest is null || manifest.CancelRequestedAt is not null)
                    {
                        await stop.CancelAsync().ConfigureAwait(false);
                        return;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning("Run {RunId}: could not read the manifest to check for a cancel ({Error}); trying again.", runId, ex.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static int ConfigureThreadsOnce()
    {
        lock (ThreadsLock)
        {
            return threads ??= TorchRuntime.ConfigureThreads(null);
        }
    }
}
