using System.Text.Json.Serialization;

namespace DigitGan.Shared.Runs;

/// <summary>
/// One line of runs/{id}/metrics.jsonl. The "kind" discriminator tells a per-step line ("step") from an epoch
/// summary ("epoch"); readers skip kinds they do not know, so later kinds can be added.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind", IgnoreUnrecognizedTypeDiscriminators = true)]
[JsonDerivedType(typeof(StepMetrics), "step")]
[JsonDerivedType(typeof(EpochMetrics), "epoch")]
[JsonDerivedType(typeof(EvaluationMetrics), "evaluation")]
[JsonDerivedType(typeof(HealthRecord), "health")]
public abstract record MetricsRecord
{
    /// <summary>1-based epoch this record belongs to.</summary>
    public int Epoch { get; init; }
}
