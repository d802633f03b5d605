namespace DigitGan.Jobs.Benchmarks;

/// <summary>The matrix-product peak of one precision (fp32 or bf16), measured before and after the timed steps; the higher counts.</summary>
public sealed record PrecisionPeak(string Precision, PeakMeasurement Before, PeakMeasurement After)
{
    public PeakMeasurement Peak => After.Gflops > Before.Gflops ? After : Before;
}
