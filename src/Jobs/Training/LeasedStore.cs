using DigitGan.Shared.Artifacts;

namespace DigitGan.Jobs.Training;

/// <summary>
/// The store as a lease holder writes it: every write (put, append, delete) first confirms that the lease is still
/// held, so a trainer whose lease was broken or taken stops before its next write instead of at its next renewal.
/// Reads go straight through.
/// </summary>
public sealed class LeasedStore(IArtifactStore inner, IArtifactLease lease) : IArtifactStore
{
    public string Description => inner.Description;

    public Task<ArtifactReader?> OpenReadAsync(string path, CancellationToken cancellationToken = default) => inner.OpenReadAsync(path, cancellationToken);

    public async Task<string> PutAsync(string path, Stream content, WriteCondition? condition = null, CancellationToken cancellationToken = default)
    {
        await lease.ConfirmAsync(cancellationToken).ConfigureAwait(false);
        return await inner.PutAsync(path, content, condition, cancellationToken).ConfigureAwait(false);
    }

    public async Task AppendAsync(string path, Stream content, CancellationToken cancellationToken = default)
    {
        await lease.ConfirmAsync(cancellationToken).ConfigureAwait(false);
        await inner.AppendAsync(path, content, cancellationToken).ConfigureAwait(false);
    }

    public Task<ArtifactInfo?> GetInfoAsync(string path, CancellationToken cancellationToken = default) => inner.GetInfoAsync(path, cancellationToken);

    public IAsyncEnumerable<ArtifactInfo> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    public async Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        await lease.ConfirmAsync(cancellationToken).ConfigureAwait(false);
        return await inner.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
    }

    public Task<IArtifactLease?> TryAcquireLeaseAsync(string path, CancellationToken cancellationToken = default) => inner.TryAcquireLeaseAsync(path, cancellationToken);
}
