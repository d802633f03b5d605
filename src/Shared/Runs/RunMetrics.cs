using System.Text.Json.Serialization;

namespace DigitGan.Shared.Runs;

/// <summary>
/// One line of runs/{id}/metrics.jsonl. The "kind" discriminator tells a per-step line ("step") from an epoch
/// summary ("epoch"); readers skip kinds they do not know, so later kinds can be added.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind", IgnoreUnrecognizedTypeDiscriminators = true)]
[JsonDerivedType(typeof(StepMetrics), "step")]
[JsonDerivedType(typeof(EpochMetrics), "epoch")]
public abstract record MetricsRecord
{
    /// <summary>1-based epoch this record belongs to.</summary>
    public int Epoch { get; init; }
}

/// <summary>Losses of one training step; D(real) and D(fake) are mean sigmoid outputs of the discriminator.</summary>
public sealed record StepMetrics : MetricsRecord
{
    public int Step { get; init; }
    public long GlobalStep { get; init; }
    public double DLoss { get; init; }
    public double GLoss { get; init; }
    public double DReal { get; init; }
    public double DFake { get; init; }
}

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
