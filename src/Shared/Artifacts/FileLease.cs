namespace DigitGan.Shared.Artifacts;

/// <summary>A file store lease: an OS lock held open, which the holder keeps until it closes it or dies, so it is never lost.</summary>
public sealed class FileLease(FileStream lockFile) : IArtifactLease
{
    private bool _remove;

    public CancellationToken Lost => CancellationToken.None;

    public void RemoveWhenReleased() => _remove = true;

    public async ValueTask DisposeAsync()
    {
        if (_remove)
        {
            // Unlinked while still held, so no other holder is cut off; a later taker creates a fresh file (and finds the run finished).
            try
            {
                File.Delete(lockFile.Name);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // `gc` removes it later.
            }
        }

        await lockFile.DisposeAsync().ConfigureAwait(false);
    }
}
