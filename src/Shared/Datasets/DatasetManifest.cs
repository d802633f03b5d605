namespace DigitGan.Shared.Datasets;

/// <summary>datasets/mnist/manifest.json: the hash and size of each imported file.</summary>
public sealed record DatasetManifest
{
    public required string Name { get; init; }
    public required IReadOnlyDictionary<string, DatasetFile> Files { get; init; }
    public DateTimeOffset ImportedAt { get; init; }
}
