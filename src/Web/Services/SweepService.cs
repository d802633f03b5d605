using System.Security.Claims;
using DigitGan.Shared.Runs;
using DigitGan.Shared.Sweeps;
using DigitGan.Web.Security;

namespace DigitGan.Web.Services;

/// <summary>
/// Sweeps for the API and the pages: creates them (the coordinator submits their runs), lists and reads them, and
/// stops them. Every write checks the operator role here, whatever the page showed.
/// </summary>
public sealed class SweepService(SweepRepository sweeps, RunService runs, ILogger<SweepService> logger)
{
    /// <summary>The error of a run cancelled because its sweep was stopped.</summary>
    public const string StoppedWithSweep = "Cancelled with its sweep.";

    public SweepRepository Repository => sweeps;

    /// <summary>Checks the spec (throws <see cref="SweepSpecException"/> naming the fields) and stores the sweep; the coordinator submits its runs.</summary>
    public async Task<SweepManifest> CreateAsync(SweepSpec spec, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var by = RunAccess.RequireOperator(user, "start sweeps");
        if (spec.Validate() is { Count: > 0 } errors)
        {
            throw new SweepSpecException(errors);
        }

        var sweep = await sweeps.CreateAsync(spec, by, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Sweep {SweepId} ({Name}, {Runs} runs) created by {User}.", sweep.SweepId, spec.Name, sweep.Trials.Count, by);
        return sweep;
    }

    public Task<IReadOnlyList<SweepManifest>> ListAsync(CancellationToken cancellationToken = default) => sweeps.ListAsync(cancellationToken);

    public Task<SweepManifest?> GetAsync(Guid sweepId, CancellationToken cancellationToken = default) => sweeps.GetAsync(sweepId, cancellationToken);

    /// <summary>
    /// Marks the sweep stopped on request and cancels its queued and running runs at once (the coordinator finishes
    /// the job if this is interrupted); the trials not yet submitted never are. Null when the sweep does not exist.
    /// </summary>
    public async Task<SweepManifest?> StopAsync(Guid sweepId, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var by = RunAccess.RequireOperator(user, "stop sweeps");
        SweepManifest? sweep;
        try
        {
            sweep = await sweeps.UpdateAsync(sweepId, s => s.IsFinished || s.StopRequestedAt is not null ? s : s with
            {
                StopRequestedAt = DateTimeOffset.UtcNow,
                StoppedBy = by,
                Trials = [.. s.Trials.Select(t => t.State == SweepTrialState.Pending ? t with { State = SweepTrialState.Skipped } : t)],
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException ex)
        {
            throw new SweepSpecException(new Dictionary<string, string[]> { ["sweep"] = [$"The sweep is damaged and cannot be stopped: {ex.Message}"] });
        }

        if (sweep is null)
        {
            return null;
        }

        logger.LogInformation("Sweep {SweepId}: stop requested by {User}.", sweepId, by);
        await CancelRunsAsync(sweep, user, cancellationToken).ConfigureAwait(false);
        return sweep;
    }

    /// <summary>Cancels every submitted run of a stopped sweep that has not ended (again, harmlessly, for one already cancelled).</summary>
    internal async Task CancelRunsAsync(SweepManifest sweep, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        foreach (var trial in sweep.Trials.Where(t => t.State is SweepTrialState.Submitted or SweepTrialState.Stopped && !t.IsDone))
        {
            try
            {
                if (await runs.GetAsync(trial.RunId, cancellationToken).ConfigureAwait(false) is { IsFinished: false, CancelRequestedAt: null })
                {
                    await runs.CancelAsync(trial.RunId, user, cancellationToken, StoppedWithSweep).ConfigureAwait(false);
                }
            }
            catch (RunNotFoundException)
            {
                // Deleted meanwhile: nothing to cancel.
            }
        }
    }
}
