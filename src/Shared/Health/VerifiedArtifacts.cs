using System.Collections.Concurrent;
using System.Security.Cryptography;
using DigitGan.Shared.Artifacts;

namespace DigitGan.Shared.Health;

/// <summary>
/// SHA-256 of stored artifacts, remembered by ETag: a probe re-hashes a file only when it changed. A hash runs to the
/// end even when the probe that started it gives up (a slow first download finishes for the next probe).
/// </summary>
internal sealed class VerifiedArtifacts(IArtifactStore store)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<(string ETag, string Sha256)>>> _hashes = new(StringComparer.Ordinal);

    /// <summary>The SHA-256 of the artifact as <paramref name="info"/> describes it (hashed once per ETag).</summary>
    public async Task<string> Sha256Async(ArtifactInfo info, CancellationToken cancellationToken)
    {
        var entry = _hashes.GetOrAdd(info.Path, Start);
        if (entry.Value.IsCompleted && (entry.Value.IsFaulted || entry.Value.Result.ETag != info.ETag))
        {
            // Changed since (or failed): hash the current content instead.
            var fresh = Start(info.Path);
            entry = _hashes.TryUpdate(info.Path, fresh, entry) ? fresh : _hashes[info.Path];
        }

        return (await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false)).Sha256;
    }

    private Lazy<Task<(string ETag, string Sha256)>> Start(string path) => new(() => Task.Run(() => HashAsync(path)));

    private async Task<(string ETag, string Sha256)> HashAsync(string path)
    {
        var reader = await store.OpenReadAsync(path, CancellationToken.None).ConfigureAwait(false)
            ?? throw new FileNotFoundException($"{path} is missing from the store at {store.Description}.");
        await using (reader.ConfigureAwait(false))
        {
            var hash = await SHA256.HashDataAsync(reader.Content, CancellationToken.None).ConfigureAwait(false);
            return (reader.Info.ETag, Convert.ToHexStringLower(hash));
        }
    }
}
