namespace DigitGan.Shared.Artifacts;

/// <summary>
/// A flat, blob-like store of artifacts addressed by '/'-separated paths (runs, datasets, checkpoints).
/// Reads and writes are streamed; writes can be conditional on the ETag seen at read time.
/// </summary>
public interface IArtifactStore
{
    /// <summary>A human-readable location (folder or container URL) for logs and CLI output.</summary>
    string Description { get; }

    /// <summary>Opens an artifact for streaming reads, or returns null when it does not exist.</summary>
    Task<ArtifactReader?> OpenReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams <paramref name="content"/> into the artifact and returns its new ETag. With a condition the write
    /// happens only if the artifact is unchanged (or absent); otherwise <see cref="ArtifactConflictException"/>.
    /// </summary>
    Task<string> PutAsync(string path, Stream content, WriteCondition? condition = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends <paramref name="content"/> to the artifact (created when absent), so a growing log costs what is added,
    /// not its whole length. Appends are for one writer (the run's lease holder); a reader may see a torn last line.
    /// </summary>
    Task AppendAsync(string path, Stream content, CancellationToken cancellationToken = default);

    /// <summary>Returns size and ETag of an artifact, or null when it does not exist.</summary>
    Task<ArtifactInfo?> GetInfoAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Lists artifacts whose path starts with <paramref name="prefix"/>, in ordinal path order.</summary>
    IAsyncEnumerable<ArtifactInfo> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes an artifact; returns false when it did not exist.</summary>
    Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes the exclusive lease named <paramref name="path"/> (one holder at a time, across processes), or returns
    /// null when another holder has it. Disposing releases it; a holder that dies loses it (at once on the file
    /// store, within the lease period on blob storage), so another worker can take over. Its <see cref="IArtifactLease.Lost"/>
    /// fires when a renewal fails, after which the holder must write nothing more.
    /// </summary>
    Task<IArtifactLease?> TryAcquireLeaseAsync(string path, CancellationToken cancellationToken = default);
}
