namespace DigitGan.Shared.Sweeps;

/// <summary>The quality metric a sweep ranks its runs by (docs/metrics.md).</summary>
public enum SweepMetric
{
    /// <summary>Fréchet distance to the test digits: lower is better.</summary>
    Fid,

    /// <summary>Inception score: higher is better.</summary>
    InceptionScore,
}
