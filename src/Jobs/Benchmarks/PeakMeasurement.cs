namespace DigitGan.Jobs.Benchmarks;

/// <summary>The float32 peak measured two ways, GFLOP/s; the faster one counts.</summary>
public sealed record PeakMeasurement(double MatmulGflops, double Conv1x1Gflops)
{
    public double Gflops => Math.Max(MatmulGflops, Conv1x1Gflops);
}
