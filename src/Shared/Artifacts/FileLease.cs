namespace DigitGan.Shared.Artifacts;

/// <summary>A file store lease: an OS lock held open, which the holder keeps until it closes it or dies, so it is never lost.</summary>
public sealed class FileLease(FileStream lockFile) : IArtifactLease
{
    public CancellationToken Lost => CancellationToken.None;

    public ValueTask DisposeAsync() => lockFile.DisposeAsync();
}
