using DigitGan.Shared.Runs;

namespace DigitGan.Jobs.Training;

/// <summary>What a checkpoint says about itself, readable without loading any tensor.</summary>
public sealed record CheckpointHeader
{
    public int FormatVersion { get; init; } = Checkpoint.FormatVersion;
    public Guid RunId { get; init; }
    public int Epoch { get; init; }
    public long GlobalStep { get; init; }
    public required RunSpec Spec { get; init; }
    public string? CodeVersion { get; init; }
    public DateTimeOffset SavedAt { get; init; }
}
