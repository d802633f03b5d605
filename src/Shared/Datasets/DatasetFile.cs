namespace DigitGan.Shared.Datasets;

/// <summary>The SHA-256 and size an imported dataset file must have.</summary>
public sealed record DatasetFile(string Sha256, long Length);
