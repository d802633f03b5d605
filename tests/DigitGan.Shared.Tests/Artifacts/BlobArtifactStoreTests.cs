using DigitGan.Shared.Artifacts;
using DigitGan.Testing;
using Xunit;

namespace DigitGan.Shared.Tests.Artifacts;

/// <summary>The store contract against a real Azurite (a fresh container per test), plus blob particulars.</summary>
public sealed class BlobArtifactStoreTests(AzuriteServer azurite) : ArtifactStoreContractTests, IClassFixture<AzuriteServer>
{
    private readonly string _container = "t" + Guid.NewGuid().ToString("N");
    private BlobArtifactStore? _store;

    protected override IArtifactStore Store => _store ??= OpenStore();

    protected override IArtifactStore OpenSecondStore() => OpenStore();

    [Fact]
    public async Task A_non_seekable_stream_of_unknown_length_is_uploaded_in_blocks_and_read_back()
    {
        var bytes = new byte[9 * 1024 * 1024 + 123];
        new Random(5).NextBytes(bytes);
        await using var source = new NonSeekableStream(bytes);
        var etag = await Store.PutAsync("datasets/big.bin", source, cancellationToken: Ct);

        var reader = await Store.OpenReadAsync("datasets/big.bin", Ct);
        await using (reader)
        {
            using var copy = new MemoryStream();
            await reader!.Content.CopyToAsync(copy, Ct);
            Assert.True(bytes.AsSpan().SequenceEqual(copy.ToArray()));
            Assert.Equal((etag, (long)bytes.Length), (reader.Info.ETag, reader.Info.Length));
        }
    }

    [Fact]
    public async Task A_reader_seeks_with_a_ranged_download_of_the_version_it_opened()
    {
        var bytes = new byte[300_000];
        new Random(8).NextBytes(bytes);
        await Store.PutBytesAsync("datasets/ranged.bin", bytes, cancellationToken: Ct);

        var reader = (await Store.OpenReadAsync("datasets/ranged.bin", Ct))!;
        await using (reader)
        {
            Assert.True(reader.Content.CanSeek);
            Assert.Equal(bytes.Length, reader.Content.Length);
            reader.Content.Seek(200_000, SeekOrigin.Begin);
            var part = new byte[1_000];
            await reader.Content.ReadExactlyAsync(part, Ct);
            Assert.Equal(bytes[200_000..201_000], part);
            Assert.Equal(201_000, reader.Content.Position);

            // A newer version meanwhile: a seek then fails rather than mixing the two versions.
            await Store.PutBytesAsync("datasets/ranged.bin", new byte[300_000], cancellationToken: Ct);
            reader.Content.Seek(10, SeekOrigin.Begin);
            var failure = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => reader.Content.ReadExactlyAsync(part, Ct).AsTask());
            Assert.Equal(412, failure.Status);
        }
    }

    [Fact]
    public async Task A_lease_broken_by_someone_else_is_reported_lost_at_the_next_renewal()
    {
        var store = new BlobArtifactStore(new Azure.Storage.Blobs.BlobContainerClient(azurite.ConnectionString, _container, BlobArtifactStore.ClientOptions()))
        {
            LeaseRenewInterval = TimeSpan.FromMilliseconds(300),
        };
        await using var lease = await store.TryAcquireLeaseAsync("runs/r/lease", Ct);
        await Task.Delay(1_000, Ct);
        Assert.False(lease!.Lost.IsCancellationRequested);

        var blob = store.Container.GetBlobClient("runs/r/lease");
        await Azure.Storage.Blobs.Specialized.SpecializedBlobExtensions.GetBlobLeaseClient(blob).BreakAsync(TimeSpan.Zero, cancellationToken: Ct);

        var lost = new TaskCompletionSource();
        using var registration = lease.Lost.Register(lost.SetResult);
        Assert.Same(lost.Task, await Task.WhenAny(lost.Task, Task.Delay(TimeSpan.FromSeconds(10), Ct)));
    }

    [Fact]
    public void The_description_names_the_container_url()
        => Assert.Equal($"{azurite.BlobEndpoint}/{_container}", Store.Description);

    private BlobArtifactStore OpenStore() => BlobArtifactStore.FromConnectionString(azurite.ConnectionString, _container);

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
    }
}
