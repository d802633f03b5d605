namespace DigitGan.Jobs.Model;

/// <summary>
/// Independent random streams of one run, all derived from its seed, so that e.g. drawing the fixed sample noise
/// or evaluation noise never shifts the training stream.
/// </summary>
public static class RunSeeds
{
    public const ulong Initialization = 1;
    public const ulong Training = 2;
    public const ulong SampleNoise = 3;
    public const ulong EvaluationNoise = 4;

    /// <summary>SplitMix64 of (seed, stream): well-mixed, distinct seeds for distinct streams.</summary>
    public static ulong Derive(long seed, ulong stream)
    {
        var z = unchecked((ulong)seed + (stream * 0x9E3779B97F4A7C15UL));
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
