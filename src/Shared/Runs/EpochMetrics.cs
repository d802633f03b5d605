namespace DigitGan.Shared.Runs;

/// <summary>The summary of one epoch: means over its steps, its wall time and throughput.</summary>
public sealed record EpochMetrics : MetricsRecord
{
    public int Steps { get; init; }
    public long Images { get; init; }
    public double DLoss { get; init; }
    public double GLoss { get; init; }
    public double DReal { get; init; }
    public double DFake { get; init; }
    public double Seconds { get; init; }
    public double ImagesPerSecond { get; init; }
}
