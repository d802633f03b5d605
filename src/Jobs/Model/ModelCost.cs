namespace DigitGan.Jobs.Model;

/// <summary>Multiply-accumulates per image of each network's forward pass, derived from the layer shapes.</summary>
public static class ModelCost
{
    private const long Kernel = 5 * 5;

    public static long GeneratorForwardMacs(int noiseDim) =>
        ((long)noiseDim * 7 * 7 * 256)          // dense
        + (7L * 7 * 128 * Kernel * 256)          // ct1: each 7x7x128 output sums a 5x5x256 window
        + (7L * 7 * 128 * Kernel * 64)           // ct2: each 7x7x128 input scatters into a 5x5x64 window
        + (14L * 14 * 64 * Kernel * 1);          // ct3

    public static long DiscriminatorForwardMacs() =>
        (14L * 14 * 64 * Kernel * 1)             // conv1
        + (7L * 7 * 128 * Kernel * 64)           // conv2
        + (7L * 7 * 128);                        // dense

    /// <summary>
    /// FLOPs of one image through one train step, counting backward as twice the forward (docs/model.md, "Cost per image"):
    /// shared step = 3G + 8D (one G pass, D on real and fake, both backwards), alternating = 4G + 9D, reuse = 3G + 9D
    /// (alternating without its second G pass).
    /// </summary>
    public static double FlopsPerImageStep(Shared.Runs.StepKind step, int noiseDim = 100)
    {
        var g = GeneratorForwardMacs(noiseDim);
        var d = DiscriminatorForwardMacs();
        var macs = step switch
        {
            Shared.Runs.StepKind.Shared => (3 * g) + (8 * d),
            Shared.Runs.StepKind.Reuse => (3 * g) + (9 * d),
            _ => (4 * g) + (9 * d),
        };
        return 2.0 * macs;
    }
}
