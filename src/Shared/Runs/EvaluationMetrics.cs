namespace DigitGan.Shared.Runs;

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

    /// <summary>The first 12 hex digits of the scoring classifier's SHA-256 (FIDs of different classifiers do not compare); null in evaluations from before it was recorded.</summary>
    public string? Classifier { get; init; }
}
