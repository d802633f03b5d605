using DigitGan.Shared.Artifacts;

namespace DigitGan.Shared.Sweeps;

/// <summary>
/// sweeps/coordinator.json: which web app drives the sweeps, until when. The holder renews it at every pass; another
/// app takes it over once it has expired (a killed holder's lapses after <c>duration</c>, a stopped one's at once).
/// Writes are conditional, so two apps never both take it in the same round. It only saves work: every coordinator
/// pass is idempotent, so two coordinators at once (a holder that paused past its expiry) do no harm.
/// </summary>
public sealed record SweepCoordinatorLease
{
    public const string Path = SweepLayout.SweepsPrefix + "coordinator.json";

    public required string Holder { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Takes or renews the lease for <paramref name="holder"/>; false while another holder's has not expired.</summary>
    public static async Task<bool> TryHoldAsync(IArtifactStore store, string holder, TimeSpan duration, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        (SweepCoordinatorLease Value, string ETag)? current;
        string? etag;
        try
        {
            current = await store.GetJsonAsync<SweepCoordinatorLease>(Path, cancellationToken).ConfigureAwait(false);
            etag = current?.ETag;
        }
        catch (InvalidDataException)
        {
            // Unreadable: anyone may replace it.
            current = null;
            etag = (await store.GetInfoAsync(Path, cancellationToken).ConfigureAwait(false))?.ETag;
        }

        if (current is { } held && held.Value.Holder != holder && held.Value.ExpiresAt > now)
        {
            return false;
        }

        try
        {
            await store.PutJsonAsync(Path, new SweepCoordinatorLease { Holder = holder, ExpiresAt = now + duration },
                etag is null ? WriteCondition.IfNoneExists : WriteCondition.IfMatch(etag), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ArtifactConflictException)
        {
            return false; // another app took or renewed it meanwhile
        }
    }

    /// <summary>Gives the lease up at once (a clean shutdown), if <paramref name="holder"/> still holds it.</summary>
    public static async Task ReleaseAsync(IArtifactStore store, string holder, CancellationToken cancellationToken = default)
    {
        try
        {
            if (await store.GetJsonAsync<SweepCoordinatorLease>(Path, cancellationToken).ConfigureAwait(false) is { } held && held.Value.Holder == holder)
            {
                await store.PutJsonAsync(Path, held.Value with { ExpiresAt = DateTimeOffset.MinValue }, WriteCondition.IfMatch(held.ETag), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is ArtifactConflictException or InvalidDataException)
        {
        }
    }
}
