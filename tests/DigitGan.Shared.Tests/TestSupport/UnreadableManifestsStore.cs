using DigitGan.Shared.Artifacts;

namespace DigitGan.Shared.Tests.TestSupport;

/// <summary>A store whose existing manifests cannot be read (a storage fault, not bad content): everything else passes through.</summary>
public sealed class UnreadableManifestsStore(IArtifactStore inner) : IArtifactStore
{
    public string Description => inner.Description;

    public async Task<ArtifactReader?> OpenReadAsync(string path, CancellationToken cancellationToken = default)
        => path.EndsWith("/manifest.json", StringComparison.Ordinal) && await inner.ExistsAsync(path, cancellationToken).ConfigureAwait(false)
            ? throw new IOException($"Reading {path} failed.")
            : await inner.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);

    public Task<string> PutAsync(string path, Stream content, WriteCondition? condition = null, CancellationToken cancellationToken = default)
        => inner.PutAsync(path, content, condition, cancellationToken);

    public Task AppendAsync(string path, Stream content, CancellationToken cancellationToken = default) => inner.AppendAsync(path, content, cancellationToken);

    public Task<ArtifactInfo?> GetInfoAsync(string path, CancellationToken cancellationToken = default) => inner.GetInfoAsync(path, cancellationToken);

    public IAsyncEnumerable<ArtifactInfo> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    public Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default) => inner.DeleteAsync(path, cancellationToken);

    public Task<IArtifactLease?> TryAcquireLeaseAsync(string path, CancellationToken cancellationToken = default) => inner.TryAcquireLeaseAsync(path, cancellationToken);
}
