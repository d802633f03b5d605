using DigitGan.Shared.Runs;
using DigitGan.Shared.Sweeps;
using DigitGan.Web.Security;
using Microsoft.Extensions.Options;

namespace DigitGan.Web.Services;

/// <summary>
/// Drives every active sweep from the store's state, in the web app: submits its runs, reads their metrics at the
/// rungs, stops the runs that fall below a rung's cut, finishes stop requests and marks the sweep finished. One web
/// app at a time holds its lease (<see cref="SweepCoordinatorLease"/>, renewed at every pass); the lease of a killed
/// app lapses after DigitGan:Sweeps:LeaseSeconds and another app (or the restarted one) takes over. Each pass is idempotent: a trial's run id is
/// fixed in the sweep manifest before its submit (a retried submit finds the run instead of making another), and
/// every decision is written to the manifest before its cancel is sent, so a pass cut short by a crash is simply
/// done again. Submits and cancels go through <see cref="RunService"/> as the operator who created the sweep.
/// </summary>
public sealed class SweepCoordinator(SweepRepository sweeps, RunService runs, SweepService sweepService, IOptions<DigitGanOptions> options, ILogger<SweepCoordinator> logger)
    : BackgroundService
{
    /// <summary>The error of a run that successive halving stopped at a rung.</summary>
    public static string StoppedAt(int epoch) => $"stopped by sweep at epoch {epoch}";

    /// <summary>This process, as the coordinator lease names its holder.</summary>
    private readonly string _holder = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(0.2, options.Value.Sweeps.PollSeconds));
        var leaseFor = TimeSpan.FromSeconds(Math.Max(options.Value.Sweeps.LeaseSeconds, 3 * options.Value.Sweeps.PollSeconds));
        var held = false;
        try
        {
            using var timer = new PeriodicTimer(interval);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    var holds = await SweepCoordinatorLease.TryHoldAsync(sweeps.Store, _holder, leaseFor, DateTimeOffset.UtcNow, stoppingToken).ConfigureAwait(false);
                    if (holds != held)
                    {
                        logger.LogInformation(holds ? "This app now drives the sweeps ({Holder})." : "Another app drives the sweeps now ({Holder} stands by).", _holder);
                        held = holds;
                    }

                    if (holds)
                    {
                        await PassAsync(stoppingToken).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("A sweep coordinator pass failed ({Error}); the next pass tries again.", ex.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            if (held)
            {
                using var release = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await SweepCoordinatorLease.ReleaseAsync(sweeps.Store, _holder, release.Token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    logger.LogDebug("The sweep coordinator lease was not released ({Error}); it lapses by itself.", ex.Message);
                }
            }
        }
    }

    /// <summary>Sweeps seen finished (or damaged): they never change again, so later passes do not read them.</summary>
    private readonly HashSet<Guid> _done = [];

    /// <summary>One pass over every sweep that has not finished; one that fails is logged and the others still go on.</summary>
    public async Task PassAsync(CancellationToken cancellationToken)
    {
        foreach (var sweepId in await sweeps.ListIdsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_done.Contains(sweepId))
            {
                continue;
            }

            try
            {
                if (await DriveAsync(sweepId, cancellationToken).ConfigureAwait(false))
                {
                    _done.Add(sweepId);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Sweep {SweepId}: pass failed ({Error}); trying again next pass.", sweepId, ex.Message);
            }
        }
    }

    /// <summary>
    /// Moves one sweep on as far as the store's state allows: idempotent, so it may run any number of times. True when
    /// the sweep has ended (finished, stopped or damaged) and needs no more passes.
    /// </summary>
    public async Task<bool> DriveAsync(Guid sweepId, CancellationToken cancellationToken)
    {
        var sweep = await sweeps.GetAsync(sweepId, cancellationToken).ConfigureAwait(false);
        if (sweep is null || sweep.IsFinished)
        {
            return sweep is not null;
        }

        var actor = RunAccess.ForSweep(sweep.CreatedBy);
        if (sweep.StopRequestedAt is null)
        {
            sweep = await SubmitPendingAsync(sweep, actor, cancellationToken).ConfigureAwait(false);
        }

        sweep = await ObserveAsync(sweep, actor, cancellationToken).ConfigureAwait(false);
        if (sweep.StopRequestedAt is not null)
        {
            await sweepService.CancelRunsAsync(sweep, actor, cancellationToken).ConfigureAwait(false);
        }

        if (sweep.Trials.All(t => t.IsDone))
        {
            var ended = await sweeps.UpdateAsync(sweepId, s => s.IsFinished || !s.Trials.All(t => t.IsDone) ? s : s with
            {
                Status = s.StopRequestedAt is null ? SweepStatus.Finished : SweepStatus.Stopped,
                FinishedAt = DateTimeOffset.UtcNow,
            }, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Sweep {SweepId} is {Status}.", sweepId, ended?.Status);
            return ended?.IsFinished == true;
        }

        return false;
    }

    private async Task<SweepManifest> SubmitPendingAsync(SweepManifest sweep, System.Security.Claims.ClaimsPrincipal actor, CancellationToken cancellationToken)
    {
        foreach (var trial in SweepLayout.SubmitOrder(sweep).Select(i => sweep.Trials[i]).Where(t => t.State == SweepTrialState.Pending).ToList())
        {
            try
            {
                // The run id is fixed: a submit retried after a crash returns the run made before and enqueues nothing.
                await runs.SubmitAsync(trial.Spec, actor, cancellationToken, trial.RunId, sweep.SweepId).ConfigureAwait(false);
            }
            catch (RunQueueFullException)
            {
                logger.LogInformation("Sweep {SweepId}: the queue is full; the rest of its runs are submitted later.", sweep.SweepId);
                break;
            }
            catch (RunSpecException ex)
            {
                logger.LogWarning("Sweep {SweepId}: trial {Index} cannot be submitted: {Error}", sweep.SweepId, trial.Index, ex.Message);
                sweep = await UpdateTrialAsync(sweep.SweepId, trial.Index, t => t with { State = SweepTrialState.Ended, RunStatus = RunStatus.Failed }, cancellationToken).ConfigureAwait(false) ?? sweep;
                continue;
            }

            // Submitted even when a stop raced the submit and skipped it: then the stop's cancel finds its run.
            sweep = await UpdateTrialAsync(sweep.SweepId, trial.Index,
                t => t.State is SweepTrialState.Pending or SweepTrialState.Skipped ? t with { State = SweepTrialState.Submitted, RunStatus = RunStatus.Queued } : t,
                cancellationToken).ConfigureAwait(false) ?? sweep;
        }

        return sweep;
    }

    /// <summary>Reads each live trial's run: its status and metric, its rung decisions, and the cancel of a run stopped at a rung.</summary>
    private async Task<SweepManifest> ObserveAsync(SweepManifest sweep, System.Security.Claims.ClaimsPrincipal actor, CancellationToken cancellationToken)
    {
        var asha = sweep.StopRequestedAt is null ? sweep.Spec.Asha : null;
        var rungs = asha is null ? [] : AshaScheduler.DecisionRungs(asha, sweep.Spec.Base.Epochs);
        var metric = sweep.Spec.Asha?.Metric ?? SweepMetric.Fid;
        foreach (var trial in sweep.Trials.Where(t => t.State is SweepTrialState.Submitted or SweepTrialState.Stopped && !t.IsDone))
        {
            var run = await runs.GetAsync(trial.RunId, cancellationToken).ConfigureAwait(false);
            if (run is null)
            {
                sweep = await UpdateTrialAsync(sweep.SweepId, trial.Index, t => t.State == SweepTrialState.Stopped
                    ? t with { RunStatus = RunStatus.Cancelled }
                    : t with { State = SweepTrialState.Ended, RunStatus = null }, cancellationToken).ConfigureAwait(false) ?? sweep;
                continue;
            }

            RunHistory? history = null;
            foreach (var rung in rungs)
            {
                var current = sweep.Trials[trial.Index];
                if (current.State != SweepTrialState.Submitted || current.Rungs.Any(r => r.Epoch == rung))
                {
                    continue;
                }

                // The worker appends the rung's evaluation to metrics.jsonl before the manifest shows the epoch done.
                if (run.Progress.Epoch < rung && !run.IsFinished && (run.LatestEvaluation?.Epoch ?? 0) < rung)
                {
                    break;
                }

                var evaluation = run.LatestEvaluation is { } latestEvaluation && latestEvaluation.Epoch == rung ? latestEvaluation : null;
                if (evaluation is null)
                {
                    history ??= await runs.GetHistoryAsync(trial.RunId, cancellationToken).ConfigureAwait(false);
                    evaluation = history.EvaluationAt(rung);
                }

                var reached = evaluation is not null || run.Progress.Epoch > rung || (run.IsFinished && run.Progress.Epoch >= rung);
                if (!reached)
                {
                    break;
                }

                double? value = evaluation is null ? null : MetricOf(evaluation, metric);
                sweep = await UpdateTrialsAsync(sweep.SweepId, s => AshaScheduler.DecideTrial(s, trial.Index, rung, value), cancellationToken).ConfigureAwait(false) ?? sweep;
                if (sweep.Trials[trial.Index].State == SweepTrialState.Stopped)
                {
                    logger.LogInformation("Sweep {SweepId}: run {RunId} stopped at epoch {Epoch}: {Reason}", sweep.SweepId, trial.RunId, rung, sweep.Trials[trial.Index].Rungs[^1].Reason);
                    break;
                }
            }

            var observed = sweep.Trials[trial.Index];
            if (observed is { State: SweepTrialState.Stopped, StoppedAtEpoch: { } stoppedAt } && !run.IsFinished && run.CancelRequestedAt is null)
            {
                run = await runs.CancelAsync(trial.RunId, actor, cancellationToken, StoppedAt(stoppedAt)).ConfigureAwait(false);
            }

            var latest = run.LatestEvaluation is { } e ? MetricOf(e, metric) : (double?)null;
            var latestEpoch = run.LatestEvaluation?.Epoch;
            sweep = await UpdateTrialAsync(sweep.SweepId, trial.Index, t => t with
            {
                State = run.IsFinished && t.State == SweepTrialState.Submitted ? SweepTrialState.Ended : t.State,
                RunStatus = run.Status,
                Epoch = run.Progress.Epoch,
                Metric = latest,
                MetricEpoch = latestEpoch,
            }, cancellationToken).ConfigureAwait(false) ?? sweep;
        }

        return sweep;
    }

    private static double MetricOf(EvaluationMetrics evaluation, SweepMetric metric) => metric == SweepMetric.Fid ? evaluation.Fid : evaluation.InceptionScore;

    private Task<SweepManifest?> UpdateTrialAsync(Guid sweepId, int index, Func<SweepTrial, SweepTrial> change, CancellationToken cancellationToken)
        => UpdateTrialsAsync(sweepId, s => WithTrial(s, index, change), cancellationToken);

    private Task<SweepManifest?> UpdateTrialsAsync(Guid sweepId, Func<SweepManifest, SweepManifest> change, CancellationToken cancellationToken)
        => sweeps.UpdateAsync(sweepId, s => s.IsFinished ? s : change(s), cancellationToken);

    internal static SweepManifest WithTrial(SweepManifest sweep, int index, Func<SweepTrial, SweepTrial> change)
    {
        var trial = sweep.Trials[index];
        var updated = change(trial);
        return updated == trial ? sweep : sweep with { Trials = [.. sweep.Trials.Select(t => t.Index == index ? updated : t)] };
    }
}
