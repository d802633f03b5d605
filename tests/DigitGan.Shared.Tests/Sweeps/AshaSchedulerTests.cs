using DigitGan.Shared.Runs;
using DigitGan.Shared.Sweeps;
using Xunit;

namespace DigitGan.Shared.Tests.Sweeps;

public sealed class AshaSchedulerTests
{
    private static readonly AshaSettings Fid2 = new() { Metric = SweepMetric.Fid, ReductionFactor = 2, MinEpochs = 1 };

    [Theory]
    [InlineData(1, 2, 2, new[] { 1, 2 }, new[] { 1 })]
    [InlineData(1, 2, 4, new[] { 1, 2, 4 }, new[] { 1, 2 })]
    [InlineData(1, 3, 50, new[] { 1, 3, 9, 27 }, new[] { 1, 3, 9, 27 })]
    [InlineData(2, 3, 18, new[] { 2, 6, 18 }, new[] { 2, 6 })]
    [InlineData(5, 4, 10, new[] { 5 }, new[] { 5 })]
    public void Rungs_are_min_epochs_times_powers_of_eta_up_to_the_budget(int min, int eta, int max, int[] rungs, int[] decisions)
    {
        var settings = new AshaSettings { MinEpochs = min, ReductionFactor = eta };

        Assert.Equal(rungs, AshaScheduler.Rungs(settings, max));
        Assert.Equal(decisions, AshaScheduler.DecisionRungs(settings, max));
    }

    [Fact]
    public void The_first_run_at_a_rung_goes_on_and_a_later_one_goes_on_only_within_the_best_ceil_n_over_eta()
    {
        var settings = Fid2 with { ReductionFactor = 3 };

        Assert.True(AshaScheduler.Decide(settings, 50, [], eligible: 9, continued: 0, stopped: 0).Continue);
        // 2 runs: the best 1 goes on.
        Assert.False(AshaScheduler.Decide(settings, 60, [50], 9, 1, 0).Continue);
        Assert.True(AshaScheduler.Decide(settings, 40, [50], 9, 1, 0).Continue);
        // 4 runs: the best 2 go on; a tie goes to the earlier run.
        Assert.True(AshaScheduler.Decide(settings, 45, [50, 40, 70], 9, 2, 1).Continue);
        Assert.False(AshaScheduler.Decide(settings, 50, [50, 40, 70], 9, 2, 1).Continue);
    }

    [Fact]
    public void Inception_score_ranks_higher_as_better()
    {
        var settings = Fid2 with { Metric = SweepMetric.InceptionScore };

        Assert.True(AshaScheduler.Decide(settings, 6.0, [5.0], 8, 1, 0).Continue);
        Assert.False(AshaScheduler.Decide(settings, 4.0, [5.0], 8, 1, 0).Continue);
        Assert.Contains("InceptionScore 4 ranks 2 of 2", AshaScheduler.Decide(settings, 4.0, [5.0], 8, 1, 0).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_caps_keep_exactly_n_over_eta_runs_past_a_rung_whatever_the_order_of_arrival()
    {
        foreach (var order in Permutations([10.0, 20.0, 30.0, 40.0]))
        {
            var decided = new List<(double Value, bool Continue)>();
            foreach (var value in order)
            {
                var decision = AshaScheduler.Decide(Fid2, value, [.. decided.Select(d => d.Value)], eligible: 4,
                    decided.Count(d => d.Continue), decided.Count(d => !d.Continue));
                decided.Add((value, decision.Continue));
            }

            Assert.Equal(2, decided.Count(d => d.Continue));
        }
    }

    [Fact]
    public void A_run_without_the_metric_at_the_rung_goes_on_and_counts_for_no_cap()
    {
        var decision = AshaScheduler.Decide(Fid2, null, [10], 4, 2, 0);

        Assert.True(decision.Continue);
        Assert.Contains("no Fid", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Deciding_a_trial_records_the_rung_and_stops_it_below_the_cut_once()
    {
        var sweep = Sweep(4);
        sweep = AshaScheduler.DecideTrial(sweep, 0, 1, 30);
        sweep = AshaScheduler.DecideTrial(sweep, 1, 1, 20);
        sweep = AshaScheduler.DecideTrial(sweep, 2, 1, 40);
        var again = AshaScheduler.DecideTrial(sweep, 2, 1, 10);
        sweep = AshaScheduler.DecideTrial(again, 3, 1, 25);

        Assert.Same(sweep.Trials[2], again.Trials[2]);
        Assert.Equal([SweepTrialState.Submitted, SweepTrialState.Submitted, SweepTrialState.Stopped, SweepTrialState.Stopped], sweep.Trials.Select(t => t.State));
        Assert.Equal([null, null, 1, 1], sweep.Trials.Select(t => t.StoppedAtEpoch));
        Assert.All(sweep.Trials, t => Assert.Equal(1, Assert.Single(t.Rungs).Epoch));
        Assert.Contains("place(s) past this rung", sweep.Trials[3].Rungs[0].Reason, StringComparison.Ordinal);

        // At the next rung only the two that went on can arrive: one of them goes on.
        sweep = AshaScheduler.DecideTrial(sweep, 1, 2, 15);
        sweep = AshaScheduler.DecideTrial(sweep, 0, 2, 18);
        Assert.Equal([SweepTrialState.Stopped, SweepTrialState.Submitted], sweep.Trials.Take(2).Select(t => t.State));
        Assert.Equal(2, sweep.Trials[0].StoppedAtEpoch);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Sixteen_runs_with_eta_2_keep_8_past_rung_1_and_4_past_rung_2_in_any_order(int seed)
    {
        var random = new Random(seed);
        var sweep = Sweep(16);
        foreach (var index in Enumerable.Range(0, 16).OrderBy(_ => random.Next()))
        {
            sweep = AshaScheduler.DecideTrial(sweep, index, 1, random.NextDouble() * 100);
        }

        foreach (var index in Enumerable.Range(0, 16).Where(i => sweep.Trials[i].State == SweepTrialState.Submitted).OrderBy(_ => random.Next()))
        {
            sweep = AshaScheduler.DecideTrial(sweep, index, 2, random.NextDouble() * 100);
        }

        Assert.Equal(8, sweep.Trials.Count(t => t.StoppedAtEpoch == 1));
        Assert.Equal(4, sweep.Trials.Count(t => t.StoppedAtEpoch == 2));
        Assert.Equal(4, sweep.Trials.Count(t => t.State == SweepTrialState.Submitted));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Runs_that_reach_rung_2_before_the_others_reach_rung_1_still_leave_4_of_16_past_rung_2(int seed)
    {
        // Two workers: the first runs reach rung 2 while most are still queued; a later rung counts only the
        // runs the rung before can let through (8 of 16), not all the runs not stopped yet.
        var random = new Random(seed);
        var sweep = Sweep(16);
        for (var pair = 0; pair < 16; pair += 2)
        {
            // Two workers: a pair of runs reaches rung 1, then the ones that went on reach rung 2, before the next pair starts.
            foreach (var index in new[] { pair, pair + 1 })
            {
                sweep = AshaScheduler.DecideTrial(sweep, index, 1, random.NextDouble() * 100);
            }

            foreach (var index in new[] { pair, pair + 1 }.Where(i => sweep.Trials[i].State == SweepTrialState.Submitted))
            {
                sweep = AshaScheduler.DecideTrial(sweep, index, 2, random.NextDouble() * 100);
            }
        }

        Assert.Equal(8, sweep.Trials.Count(t => t.StoppedAtEpoch == 1));
        Assert.Equal(4, sweep.Trials.Count(t => t.StoppedAtEpoch == 2));
    }

    [Fact]
    public void A_sweep_without_asha_decides_nothing()
    {
        var sweep = Sweep(2) is var s ? s with { Spec = s.Spec with { Asha = null } } : null!;

        Assert.Same(sweep, AshaScheduler.DecideTrial(sweep, 0, 1, 99));
    }

    private static SweepManifest Sweep(int trials) => new()
    {
        SweepId = Guid.CreateVersion7(),
        Spec = new SweepSpec { Base = new RunSpec { Epochs = 4 }, Asha = Fid2 },
        Trials = [.. Enumerable.Range(0, trials).Select(i => new SweepTrial
        {
            Index = i, RunId = Guid.CreateVersion7(), Values = new Dictionary<string, string>(), Spec = new RunSpec(), State = SweepTrialState.Submitted,
        })],
    };

    private static IEnumerable<double[]> Permutations(double[] items) => items.Length <= 1
        ? [items]
        : items.SelectMany((item, i) => Permutations([.. items.Take(i), .. items.Skip(i + 1)]).Select(rest => (double[])[item, .. rest]));
}
