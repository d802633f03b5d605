namespace DigitGan.Shared.Sweeps;

/// <summary>
/// Asynchronous successive halving (docs/sweeps.md): at each rung epoch, a run whose metric is not among the best
/// 1/<see cref="ReductionFactor"/> of the runs that reached that rung is stopped.
/// </summary>
public sealed record AshaSettings
{
    public const int MinReductionFactor = 2;
    public const int MaxReductionFactor = 10;

    public SweepMetric Metric { get; init; } = SweepMetric.Fid;

    /// <summary>eta: the rungs are min epochs times powers of it, and about 1/eta of the runs pass each rung.</summary>
    public int ReductionFactor { get; init; } = 3;

    /// <summary>The first rung: no run is stopped before this many epochs.</summary>
    public int MinEpochs { get; init; } = 1;

    /// <summary>True when a lower value of the metric is better (FID), false when higher is (inception score).</summary>
    public bool LowerIsBetter => Metric == SweepMetric.Fid;
}
