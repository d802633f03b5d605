namespace DigitGan.Shared.Datasets;

/// <summary>
/// datasets/mnist/classifier/manifest.json: the MNIST digit classifier that scores generated digits, how it was
/// trained, how good it is, and the real-vs-real FID floor of its feature space.
/// </summary>
public sealed record ClassifierManifest
{
    /// <summary>Names the network layout; a classifier of another architecture is refused, not misread.</summary>
    public required string Architecture { get; init; }

    public required int FeatureDim { get; init; }

    /// <summary>SHA-256 and length of the weights file; workers verify both before loading it.</summary>
    public required string Sha256 { get; init; }

    public required long Length { get; init; }

    /// <summary>Accuracy on the 10,000 MNIST test images.</summary>
    public required double TestAccuracy { get; init; }

    /// <summary>
    /// FID between <see cref="FidFloorSamples"/> real training digits and the 10,000 test digits: the best a generator
    /// can score. The mean over <see cref="FidFloorDraws"/> disjoint random draws of training digits (0: older
    /// classifiers, which used the first training digits).
    /// </summary>
    public required double FidFloor { get; init; }

    public int FidFloorDraws { get; init; }

    /// <summary>How it was trained (the augmentation); null for classifiers of the first recipe (shifts only).</summary>
    public string? Recipe { get; init; }

    public required int FidFloorSamples { get; init; }

    public int Epochs { get; init; }
    public long Seed { get; init; }
    public int Threads { get; init; }
    public double TrainingSeconds { get; init; }
    public string? CodeVersion { get; init; }
    public DateTimeOffset TrainedAt { get; init; }
}
