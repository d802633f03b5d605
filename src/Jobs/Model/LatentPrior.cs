using DigitGan.Shared.Runs;

namespace DigitGan.Jobs.Model;

/// <summary>
/// The generator's noise distribution (<see cref="LatentNoise"/>): the tutorial's standard normal when
/// <paramref name="Clusters"/> is 0, otherwise a mixture of that many unit-variance Gaussians, cluster c centred
/// <paramref name="Offset"/> along axis c.
/// </summary>
public readonly record struct LatentPrior(int Clusters, double Offset)
{
    /// <summary>The tutorial's standard normal noise.</summary>
    public static LatentPrior Standard { get; } = new(0, RunSpec.DefaultLatentClusterOffset);

    /// <summary>The prior a run of <paramref name="spec"/> trains on (<see cref="RunSpec.LatentClusters"/>, <see cref="RunSpec.LatentClusterOffset"/>).</summary>
    public static LatentPrior Of(RunSpec spec) => new(spec.LatentClusters, spec.LatentClusterOffset);
}
