using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Sweeps;
using DigitGan.Shared.Tests.TestSupport;
using Xunit;

namespace DigitGan.Shared.Tests.Sweeps;

public sealed class SweepCoordinatorLeaseTests
{
    [Fact]
    public async Task One_holder_at_a_time_until_it_expires_or_is_released()
    {
        using var folder = new TempDirectory("sweep-lease");
        var store = new FileArtifactStore(folder.Path);
        var now = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var ttl = TimeSpan.FromSeconds(15);
        var ct = TestContext.Current.CancellationToken;

        Assert.True(await SweepCoordinatorLease.TryHoldAsync(store, "a", ttl, now, ct));
        Assert.False(await SweepCoordinatorLease.TryHoldAsync(store, "b", ttl, now.AddSeconds(10), ct));
        Assert.True(await SweepCoordinatorLease.TryHoldAsync(store, "a", ttl, now.AddSeconds(10), ct));
        Assert.False(await SweepCoordinatorLease.TryHoldAsync(store, "b", ttl, now.AddSeconds(20), ct));

        // A killed holder renews no more: after its expiry another app takes over.
        Assert.True(await SweepCoordinatorLease.TryHoldAsync(store, "b", ttl, now.AddSeconds(26), ct));
        Assert.False(await SweepCoordinatorLease.TryHoldAsync(store, "a", ttl, now.AddSeconds(27), ct));

        // A clean shutdown gives it up at once; a release by a non-holder changes nothing.
        await SweepCoordinatorLease.ReleaseAsync(store, "a", ct);
        Assert.False(await SweepCoordinatorLease.TryHoldAsync(store, "c", ttl, now.AddSeconds(28), ct));
        await SweepCoordinatorLease.ReleaseAsync(store, "b", ct);
        Assert.True(await SweepCoordinatorLease.TryHoldAsync(store, "c", ttl, now.AddSeconds(28), ct));

        // An unreadable lease is anyone's.
        await store.PutTextAsync(SweepCoordinatorLease.Path, "{not json", cancellationToken: ct);
        Assert.True(await SweepCoordinatorLease.TryHoldAsync(store, "d", ttl, now.AddSeconds(29), ct));
    }
}
