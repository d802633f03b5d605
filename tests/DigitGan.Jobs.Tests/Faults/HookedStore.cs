using DigitGan.Shared.Artifacts;

namespace DigitGan.Jobs.Tests.Faults;

/// <summary>
/// A real store with a fault hook at its boundary: <see cref="BeforePut"/> may act (kill a service, fill a disk) and
/// wrap the content of a write; every write that reaches the store is recorded with its time.
/// </summary>
public sealed class HookedStore(IArtifactStore inner) : IArtifactStore
{
    private readonly List<(string Path, DateTimeOffset At)> _writes = [];

    /// <summary>Called before a put reaches the store, with its path and content; returns the content to write.</summary>
    public Func<string, Stream, Stream>? BeforePut { get; set; }

    /// <summary>Called when a lease is taken through this store.</summary>
    public Action? LeaseTaken { get; set; }

    public IReadOnlyList<(string Path, DateTimeOffset At)> Writes
    {
        get
        {
            lock (_writes)
            {
                return [.. _writes];
            }
        }
    }

    public string Description => inner.Description;

    public Task<ArtifactReader?> OpenReadAsync(string path, CancellationToken cancellationToken = default) => inner.OpenReadAsync(path, cancellationToken);

    public Task<string> PutAsync(string path, Stream content, WriteCondition? condition = null, CancellationToken cancellationToken = default)
    {
        Record(path);
        return inner.PutAsync(path, BeforePut?.Invoke(path, content) ?? content, condition, cancellationToken);
    }

    public Task AppendAsync(string path, Stream content, CancellationToken cancellationToken = default)
    {
        Record(path);
        return inner.AppendAsync(path, content, cancellationToken);
    }

    public Task<ArtifactInfo?> GetInfoAsync(string path, CancellationToken cancellationToken = default) => inner.GetInfoAsync(path, cancellationToken);

    public IAsyncEnumerable<ArtifactInfo> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    public Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        Record(path);
        return inner.DeleteAsync(path, cancellationToken);
    }

    public async Task<IArtifactLease?> TryAcquireLeaseAsync(string path, CancellationToken cancellationToken = default)
    {
        var lease = await inner.TryAcquireLeaseAsync(path, cancellationToken).ConfigureAwait(false);
        if (lease is not null)
        {
            LeaseTaken?.Invoke();
        }

        return lease;
    }

    private void Record(string path)
    {
        lock (_writes)
        {
            _writes.Add((path, DateTimeOffset.UtcNow));
        }
    }
}
