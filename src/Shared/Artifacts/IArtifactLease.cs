namespace DigitGan.Shared.Artifacts;

/// <summary>A held exclusive lease; <see cref="Lost"/> fires when it can no longer be trusted (a failed or refused renewal).</summary>
public interface IArtifactLease : IAsyncDisposable
{
    /// <summary>Cancelled once the lease is lost: from then on its holder must write nothing more.</summary>
    CancellationToken Lost { get; }

    /// <summary>
    /// Checks, right before a write, that the lease is still held (a blob lease asks the service; the renewal timer
    /// alone would notice a broken lease only at its next tick). Throws <see cref="OperationCanceledException"/> on
    /// <see cref="Lost"/> when it is not.
    /// </summary>
    Task ConfirmAsync(CancellationToken cancellationToken = default)
    {
        Lost.ThrowIfCancellationRequested();
        return Task.CompletedTask;
    }

    /// <summary>The leased work is finished for good (the run ended): disposing also removes what the lease leaves behind (a lock file).</summary>
    void RemoveWhenReleased()
    {
    }
}
