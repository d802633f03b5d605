using DigitGan.Shared.Runs;

namespace DigitGan.Shared.Sweeps;

/// <summary>One run of a sweep: its axis values, its spec, its run id (fixed before it is submitted) and its rung decisions.</summary>
public sealed record SweepTrial
{
    public required int Index { get; init; }

    /// <summary>The run's id, derived from the sweep's (<see cref="SweepLayout.TrialRunId"/>): known before the submit, so a retried submit cannot make a second run.</summary>
    public required Guid RunId { get; init; }

    /// <summary>Each axis's value for this trial, by field name, as the run page shows it.</summary>
    public required IReadOnlyDictionary<string, string> Values { get; init; }

    public required RunSpec Spec { get; init; }

    public SweepTrialState State { get; init; } = SweepTrialState.Pending;

    /// <summary>The successive-halving decisions, one per rung the run reached.</summary>
    public IReadOnlyList<SweepRungResult> Rungs { get; init; } = [];

    /// <summary>The rung epoch at which successive halving stopped the run; null when it was not stopped.</summary>
    public int? StoppedAtEpoch { get; init; }

    /// <summary>The run's status when the coordinator last looked.</summary>
    public RunStatus? RunStatus { get; init; }

    /// <summary>Epochs the run had trained when the coordinator last looked.</summary>
    public int Epoch { get; init; }

    /// <summary>The sweep's metric at the run's newest evaluation, and that evaluation's epoch.</summary>
    public double? Metric { get; init; }

    public int? MetricEpoch { get; init; }

    /// <summary>Nothing more happens to the trial: its run ended, or it was never submitted and never will be.</summary>
    public bool IsDone => State is SweepTrialState.Ended or SweepTrialState.Skipped
        || (State == SweepTrialState.Stopped && RunStatus is Runs.RunStatus.Succeeded or Runs.RunStatus.Failed or Runs.RunStatus.Cancelled or Runs.RunStatus.Damaged);
}
