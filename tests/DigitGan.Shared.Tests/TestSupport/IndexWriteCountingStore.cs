using DigitGan.Shared.Artifacts;

namespace DigitGan.Shared.Tests.TestSupport;

/// <summary>A real store that counts the writes of the run index.</summary>
public sealed class IndexWriteCountingStore(IArtifactStore inner) : IArtifactStore
{
    private int _indexWrites;

    public int IndexWrites => Volatile.Read(ref _indexWrites);

    public string Description => inner.Description;

    public Task<ArtifactReader?> OpenReadAsync(string path, CancellationToken cancellationToken = default) => inner.OpenReadAsync(path, cancellationToken);

    public Task<string> PutAsync(string path, Stream content, WriteCondition? condition = null, CancellationToken cancellationToken = default)
    {
        if (path == RunArtifactLayout.RunIndex)
        {
            Interlocked.Increment(ref _indexWrites);
        }

        return inner.PutAsync(path, content, condition, cancellationToken);
    }

    public Task AppendAsync(string path, Stream content, CancellationToken cancellationToken = default) => inner.AppendAsync(path, content, cancellationToken);

    public Task<ArtifactInfo?> GetInfoAsync(string path, CancellationToken cancellationToken = default) => inner.GetInfoAsync(path, cancellationToken);

    public IAsyncEnumerable<ArtifactInfo> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    public Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default) => inner.DeleteAsync(path, cancellationToken);

    public Task<IArtifactLease?> TryAcquireLeaseAsync(string path, CancellationToken cancellationToken = default) => inner.TryAcquireLeaseAsync(path, cancellationToken);
}
