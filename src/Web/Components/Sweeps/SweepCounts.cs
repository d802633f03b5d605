using DigitGan.Shared.Runs;
using DigitGan.Shared.Sweeps;

namespace DigitGan.Web.Components.Sweeps;

/// <summary>
/// A sweep's trials by where they stand, from the sweep manifest and the runs' newest summaries: queued (not started,
/// including not yet submitted), running, stopped (by successive halving, by the sweep's stop, or cancelled) and
/// finished (succeeded or failed).
/// </summary>
public sealed record SweepCounts(int Queued, int Running, int Stopped, int Finished)
{
    public static SweepCounts Of(SweepManifest sweep, IReadOnlyDictionary<Guid, RunSummary> runs)
    {
        int queued = 0, running = 0, stopped = 0, finished = 0;
        foreach (var trial in sweep.Trials)
        {
            var status = runs.TryGetValue(trial.RunId, out var run) ? run.Status : trial.RunStatus;
            if (trial.State is SweepTrialState.Stopped or SweepTrialState.Skipped || status == RunStatus.Cancelled)
            {
                stopped++;
            }
            else if (status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Damaged || trial.State == SweepTrialState.Ended)
            {
                finished++;
            }
            else if (status == RunStatus.Running)
            {
                running++;
            }
            else
            {
                queued++;
            }
        }

        return new SweepCounts(queued, running, stopped, finished);
    }
}
