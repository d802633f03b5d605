using System.Text.Json;
using System.Text.Json.Serialization;
using DigitGan.Shared.Artifacts;

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

/// <summary>
/// Quality of the generator after an epoch, scored by the MNIST classifier on <see cref="Samples"/> digits generated
/// from the run's fixed evaluation noise (docs/metrics.md).
/// </summary>
public sealed record EvaluationMetrics : MetricsRecord
{
    public int Samples { get; init; }

    /// <summary>Fréchet distance between the classifier features of the samples and of the 10,000 real test digits.</summary>
    public double Fid { get; init; }

    /// <summary>The same distance between real training digits and the test digits: the floor <see cref="Fid"/> is read against.</summary>
    public double FidFloor { get; init; }

    /// <summary>exp(mean KL(p(y|x) || p(y))): 1 for one class, 10 for confident, balanced digits.</summary>
    public double InceptionScore { get; init; }

    /// <summary>How many samples the classifier assigns to each digit 0-9.</summary>
    public IReadOnlyList<int> ClassHistogram { get; init; } = [];

    /// <summary>Classes holding at least 5% of the samples.</summary>
    public int ClassesAtLeast5Percent { get; init; }

    /// <summary>Mean of the classifier's highest class probability.</summary>
    public double Confidence { get; init; }

    /// <summary>Wall time of the evaluation (generation + scoring), kept apart from training time.</summary>
    public double Seconds { get; init; }
}

/// <summary>A health flag that fired (also listed in the manifest).</summary>
public sealed record HealthRecord : MetricsRecord
{
    public required HealthFlag Flag { get; init; }
}

/// <summary>Reads the lines of metrics.jsonl (one serialized <see cref="MetricsRecord"/> each).</summary>
public static class MetricsLines
{
    public static IEnumerable<string> Split(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static string Format(MetricsRecord record) => JsonSerializer.Serialize(record, ArtifactJson.Lines);

    public static MetricsRecord? Parse(string line) => JsonSerializer.Deserialize<MetricsRecord>(line, ArtifactJson.Lines);

    /// <summary>The lines of epochs up to and including <paramref name="epoch"/>: what a resume or a fork keeps.</summary>
    public static List<string> UpToEpoch(string text, int epoch) => [.. Split(text).Where(line => Parse(line) is { } record && record.Epoch <= epoch)];
}
