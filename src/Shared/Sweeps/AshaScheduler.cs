using System.Globalization;

namespace DigitGan.Shared.Sweeps;

/// <summary>
/// The decisions of asynchronous successive halving (ASHA, Li et al. 2020), as a stopping rule: no run waits for
/// the others. Rungs are at min epochs times powers of the reduction factor eta, below the runs' epochs. When a run
/// reaches a rung, it goes on when its metric ranks in the best ceil(n/eta) of the n runs that reached the rung so
/// far (itself included; ties go to the earlier run), else it is stopped. Two caps keep the rung to the halving it
/// promises whatever the order the runs arrive in: at most max(1, floor(N/eta)) of the N runs that can reach the rung
/// go on, and at most N minus that many are stopped (docs/sweeps.md).
/// </summary>
public static class AshaScheduler
{
    /// <summary>Every rung epoch up to the budget: min, min*eta, min*eta^2, ... while at most <paramref name="maxEpochs"/>.</summary>
    public static IReadOnlyList<int> Rungs(AshaSettings settings, int maxEpochs)
    {
        var rungs = new List<int>();
        if (settings.MinEpochs < 1 || settings.ReductionFactor < 2)
        {
            return rungs;
        }

        for (long epoch = settings.MinEpochs; epoch <= maxEpochs; epoch *= settings.ReductionFactor)
        {
            rungs.Add((int)epoch);
        }

        return rungs;
    }

    /// <summary>The rungs where runs may be stopped: every rung below the budget (a run at the budget has ended).</summary>
    public static IReadOnlyList<int> DecisionRungs(AshaSettings settings, int maxEpochs) => [.. Rungs(settings, maxEpochs).Where(r => r < maxEpochs)];

    /// <summary>How many of <paramref name="eligible"/> runs that can reach a rung go on past it.</summary>
    public static int Quota(AshaSettings settings, int eligible) => Math.Max(1, eligible / settings.ReductionFactor);

    /// <summary>
    /// Decides for one run at one rung.
    /// </summary>
    /// <param name="value">The run's metric at the rung; null when it has none (then it goes on and counts for no cap).</param>
    /// <param name="earlier">The metrics of the runs decided at this rung before it.</param>
    /// <param name="eligible">How many runs of the sweep can reach this rung (not stopped or ended before it).</param>
    /// <param name="continued">How many runs already went on past this rung.</param>
    /// <param name="stopped">How many runs were already stopped at this rung.</param>
    public static AshaDecision Decide(AshaSettings settings, double? value, IReadOnlyList<double> earlier, int eligible, int continued, int stopped)
    {
        if (value is not { } own || double.IsNaN(own))
        {
            return new AshaDecision(true, $"no {settings.Metric} at this epoch: nothing to rank it by");
        }

        var quota = Quota(settings, Math.Max(eligible, continued + stopped + 1));
        if (continued >= quota)
        {
            return new AshaDecision(false, string.Create(CultureInfo.InvariantCulture, $"{settings.Metric} {own:G4}: the {quota} place(s) past this rung of {eligible} run(s) are taken"));
        }

        if (stopped >= Math.Max(eligible, continued + stopped + 1) - quota)
        {
            return new AshaDecision(true, string.Create(CultureInfo.InvariantCulture, $"{settings.Metric} {own:G4}: the other runs at this rung were stopped; {quota} of {eligible} go on"));
        }

        var better = earlier.Count(other => settings.LowerIsBetter ? other <= own : other >= own);
        var rank = better + 1;
        var n = earlier.Count + 1;
        var keep = (n + settings.ReductionFactor - 1) / settings.ReductionFactor;
        var text = string.Create(CultureInfo.InvariantCulture, $"{settings.Metric} {own:G4} ranks {rank} of {n} at this rung; the best {keep} go on");
        return new AshaDecision(rank <= keep, text);
    }

    /// <summary>
    /// The sweep with the decision of trial <paramref name="index"/> at <paramref name="rung"/> recorded, made from the
    /// decisions the manifest already holds at that rung (so a change re-applied after a concurrent write decides
    /// again from the newer state); the sweep itself when the trial was decided there already or is not live.
    /// </summary>
    public static SweepManifest DecideTrial(SweepManifest sweep, int index, int rung, double? value)
    {
        var trial = sweep.Trials[index];
        if (sweep.Spec.Asha is not { } asha || trial.State != SweepTrialState.Submitted || trial.Rungs.Any(r => r.Epoch == rung))
        {
            return sweep;
        }

        var others = sweep.Trials.Where(t => t.Index != index).ToList();
        var atRung = others.SelectMany(t => t.Rungs.Where(r => r.Epoch == rung)).ToList();
        var eligible = Eligible(sweep, asha, rung);
        var decision = AshaScheduler.Decide(asha, value, [.. atRung.Where(r => r.Value is not null).Select(r => r.Value!.Value)], eligible,
            atRung.Count(r => r.Continued && r.Value is not null), atRung.Count(r => !r.Continued));
        var result = new SweepRungResult { Epoch = rung, Value = value, Continued = decision.Continue, Reason = decision.Reason, DecidedAt = DateTimeOffset.UtcNow };
        var decided = trial with
        {
            Rungs = [.. trial.Rungs, result],
            State = decision.Continue ? trial.State : SweepTrialState.Stopped,
            StoppedAtEpoch = decision.Continue ? trial.StoppedAtEpoch : rung,
        };
        return sweep with { Trials = [.. sweep.Trials.Select(t => t.Index == index ? decided : t)] };
    }

    /// <summary>
    /// How many of the sweep's runs can reach <paramref name="rung"/>: those not stopped at an earlier rung and not
    /// ended before it, and at most the quota the rung before lets through (its runs not all decided yet, the later
    /// rung must not count them all).
    /// </summary>
    public static int Eligible(SweepManifest sweep, AshaSettings asha, int rung)
    {
        var eligible = int.MaxValue;
        foreach (var r in DecisionRungs(asha, sweep.Spec.Base.Epochs).Where(r => r <= rung))
        {
            var reachable = sweep.Trials.Count(t => !(t.StoppedAtEpoch is { } stopped && stopped < r)
                && !(t.State is SweepTrialState.Ended or SweepTrialState.Skipped && t.Epoch < r && !t.Rungs.Any(x => x.Epoch == r)));
            eligible = eligible == int.MaxValue ? reachable : Math.Min(reachable, Quota(asha, eligible));
        }

        return Math.Max(1, eligible == int.MaxValue ? sweep.Trials.Count : eligible);
    }
}
