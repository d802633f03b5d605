using DigitGan.Shared.Runs;

namespace DigitGan.Jobs.Evaluation;

/// <summary>What `evaluate` writes: where the digits came from, the classifier that scored them, and the metrics.</summary>
public sealed record EvaluationReport
{
    public required string Source { get; init; }

    /// <summary>"checkpoint" or "png-folder".</summary>
    public required string SourceKind { get; init; }

    public Guid? RunId { get; init; }
    public required string ClassifierSha256 { get; init; }
    public required double ClassifierTestAccuracy { get; init; }
    public required EvaluationMetrics Metrics { get; init; }

    /// <summary>The discriminator ranking the checkpoint's digits were drawn with (1: every digit drawn); null for a PNG folder.</summary>
    public double? SampleKeep { get; init; }

    /// <summary>With `evaluate --by-cluster`: what each cluster of the run's clustered latent prior draws (every digit of the unranked evaluation noise); otherwise null.</summary>
    public IReadOnlyList<ClusterMetrics>? Clusters { get; init; }
}
