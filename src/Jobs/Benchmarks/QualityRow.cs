namespace DigitGan.Jobs.Benchmarks;

/// <summary>One run's scores at one epoch of a <see cref="QualityPlan"/>, with the training time up to that epoch and its grid image.</summary>
public sealed record QualityRow
{
    public required string Variant { get; init; }
    public required long Seed { get; init; }
    public required int Epoch { get; init; }
    public required Guid RunId { get; init; }
    public double InceptionScore { get; init; }
    public double Fid { get; init; }
    public double FidFloor { get; init; }
    public int ClassesAtLeast5Percent { get; init; }
    public int Samples { get; init; }

    /// <summary>The id of the classifier that scored the row (each machine trains its own; scores from different ones differ a little).</summary>
    public string? Classifier { get; init; }

    /// <summary>Training time of the epochs up to this one (not evaluation).</summary>
    public double TrainingSeconds { get; init; }

    public double ImagesPerSecond { get; init; }

    /// <summary>The epoch's sample grid, relative to the report's folder; null when the run has none.</summary>
    public string? Grid { get; init; }

    public double FidOverFloor => Fid / FidFloor;
}
