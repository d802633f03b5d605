namespace DigitGan.Jobs.Benchmarks;

/// <summary>What `bench` writes: the machine, each precision's peak, and each step kind rebased on its precision's peak.</summary>
public sealed record BenchmarkReport
{
    public required BenchmarkMachine Machine { get; init; }
    public required string CodeVersion { get; init; }
    public required DateTimeOffset MeasuredAt { get; init; }

    /// <summary>The float32 peak (GFLOP/s), or the first precision's where fp32 was not measured.</summary>
    public double PeakGflops => (Peaks.FirstOrDefault(p => p.Precision == "fp32") ?? Peaks[0]).Peak.Gflops;

    public required IReadOnlyList<PrecisionPeak> Peaks { get; init; }
    public long PeakRssBytes => Results.Max(r => r.PeakRssBytes);
    public required IReadOnlyList<StepBenchmarkResult> Results { get; init; }

    /// <summary>oneDNN's instruction set and kernels (CPU only).</summary>
    public OneDnnReport? OneDnn { get; init; }

    /// <summary>images/s of <paramref name="result"/> over the fp32 result of the same step kind and window; null when there is none.</summary>
    public double? SpeedupOverFp32(StepBenchmarkResult result)
        => Results.FirstOrDefault(r => r.Precision == "fp32" && r.Step == result.Step && r.Window == result.Window) is { ImagesPerSecond: > 0 } fp32
            ? result.ImagesPerSecond / fp32.ImagesPerSecond
            : null;
}
