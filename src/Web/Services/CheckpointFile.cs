namespace DigitGan.Web.Services;

/// <summary>One downloadable checkpoint: "latest" or the epoch number, and its size.</summary>
public sealed record CheckpointFile(string Name, int? Epoch, long Length, DateTimeOffset LastModified);
