namespace DigitGan.Shared.Artifacts;

/// <summary>What the store knows of an artifact without reading it: size, ETag and last write.</summary>
public sealed record ArtifactInfo(string Path, long Length, string ETag, DateTimeOffset LastModified);
