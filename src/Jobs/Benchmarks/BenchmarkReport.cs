namespace DigitGan.Jobs.Benchmarks;

/// <summary>What `bench` writes: the machine, both peak measurements, and each step kind rebased on the higher peak.</summary>
public sealed record BenchmarkReport
{
    public required BenchmarkMachine Machine { get; init; }
    public required string CodeVersion { get; init; }
    public required DateTimeOffset MeasuredAt { get; init; }
    public double PeakGflops => Peak.Gflops;
    public required PeakMeasurement Peak { get; init; }
    public required PeakMeasurement PeakBefore { get; init; }
    public required PeakMeasurement PeakAfter { get; init; }
    public long PeakRssBytes => Results.Max(r => r.PeakRssBytes);
    public required IReadOnlyList<StepBenchmarkResult> Results { get; init; }
}
