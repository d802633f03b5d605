namespace DigitGan.Shared.Artifacts;

/// <summary>A held exclusive lease; <see cref="Lost"/> fires when it can no longer be trusted (a failed or refused renewal).</summary>
public interface IArtifactLease : IAsyncDisposable
{
    /// <summary>Cancelled once the lease is lost: from then on its holder must write nothing more.</summary>
    CancellationToken Lost { get; }
}
