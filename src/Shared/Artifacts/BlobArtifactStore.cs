using System.Runtime.CompilerServices;
using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using DigitGan.Shared.Telemetry;

namespace DigitGan.Shared.Artifacts;

/// <summary>
/// The artifact store on Azure Blob Storage (or Azurite): one container, blob names = artifact paths. Transfers are
/// streamed; conditional writes map to If-Match / If-None-Match: * on the blob's ETag; transient faults are retried
/// by the SDK's exponential retry policy. A reader streams one consistent version (the SDK resumes an interrupted
/// download with If-Match on the ETag it started with).
/// </summary>
public sealed class BlobArtifactStore : IArtifactStore
{
    private readonly BlobContainerClient _container;
    private volatile bool _containerExists;

    public BlobArtifactStore(BlobContainerClient container) => _container = container;

    /// <summary>From a storage connection string (Azurite's, or an account key's).</summary>
    public static BlobArtifactStore FromConnectionString(string connectionString, string containerName) =>
        new(new BlobContainerClient(connectionString, containerName, ClientOptions()));

    /// <summary>From an account URL and a credential (DefaultAzureCredential: managed identity on Azure).</summary>
    public static BlobArtifactStore FromAccountUrl(Uri accountUrl, string containerName, TokenCredential credential) =>
        new(new BlobServiceClient(accountUrl, credential, ClientOptions()).GetBlobContainerClient(containerName));

    /// <summary>
    /// The API version Azurite 3.37 accepts (the SDK's newest is ahead of it; Azure accepts both), and the SDK's
    /// exponential retry of transient faults (timeouts, 408/429/5xx), bounded so that an outage surfaces within a minute.
    /// </summary>
    public static BlobClientOptions ClientOptions()
    {
        var options = new BlobClientOptions(BlobClientOptions.ServiceVersion.V2026_06_06);
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 5;
        options.Retry.Delay = TimeSpan.FromMilliseconds(400);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(10);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
        return options;
    }

    public string Description => _container.Uri.ToString();

    public BlobContainerClient Container => _container;

    public async Task<ArtifactReader?> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var blob = Blob(path);
            var response = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            var details = response.Value.Details;
            var content = new RangedBlobStream(blob, response.Value.Content, details.ContentLength, details.ETag);
            return new ArtifactReader(content, new ArtifactInfo(path, details.ContentLength, Tag(details.ETag), details.LastModified));
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task<string> PutAsync(string path, Stream content, WriteCondition? condition = null, CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var conditions = condition switch
        {
            null => null,
            { IfNotExists: true } => new BlobRequestConditions { IfNoneMatch = ETag.All },
            { IfMatchETag: { } etag } => new BlobRequestConditions { IfMatch = new ETag($"\"{etag}\"") },
            _ => null,
        };
        try
        {
            var response = await Blob(path).UploadAsync(content, new BlobUploadOptions { Conditions = conditions }, cancellationToken).ConfigureAwait(false);
            return Tag(response.Value.ETag);
        }
        catch (RequestFailedException ex) when (condition is not null && ex.Status is 409 or 412)
        {
            throw new ArtifactConflictException(path, condition.IfNotExists ? "it already exists" : "its ETag changed");
        }
        catch (RequestFailedException ex) when (condition is { IfMatchETag: not null } && ex.Status == 404)
        {
            throw new ArtifactConflictException(path, "it was deleted");
        }
    }

    /// <summary>The most an Append Blob takes in one block.</summary>
    private const int MaxAppendBlock = 4 * 1024 * 1024;

    /// <summary>
    /// Appends to an Append Blob, one block per call (up to 4 MiB each). An artifact written whole (a block blob, e.g. a
    /// resume's cut-back metrics) is turned into an Append Blob holding the same content first.
    /// </summary>
    public async Task AppendAsync(string path, Stream content, CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var append = _container.GetAppendBlobClient(ArtifactPath.Validate(path));
        var buffer = new byte[MaxAppendBlock];
        int filled;
        while ((filled = await content.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false)) > 0)
        {
            using var block = new MemoryStream(buffer, 0, filled, writable: false);
            await AppendBlockAsync(append, path, block, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task AppendBlockAsync(AppendBlobClient append, string path, MemoryStream block, CancellationToken cancellationToken)
    {
        try
        {
            await append.AppendBlockAsync(block, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            await append.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            block.Position = 0;
            await append.AppendBlockAsync(block, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.InvalidBlobType)
        {
            var existing = await this.GetBytesAsync(path, cancellationToken).ConfigureAwait(false) ?? [];
            await append.CreateAsync(new AppendBlobCreateOptions(), cancellationToken).ConfigureAwait(false);
            for (var offset = 0; offset < existing.Length; offset += MaxAppendBlock)
            {
                using var part = new MemoryStream(existing, offset, Math.Min(MaxAppendBlock, existing.Length - offset), writable: false);
                await append.AppendBlockAsync(part, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            block.Position = 0;
            await append.AppendBlockAsync(block, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<ArtifactInfo?> GetInfoAsync(string path, CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var properties = (await Blob(path).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            return new ArtifactInfo(path, properties.ContentLength, Tag(properties.ETag), properties.LastModified);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async IAsyncEnumerable<ArtifactInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken).ConfigureAwait(false))
        {
            yield return new ArtifactInfo(item.Name, item.Properties.ContentLength ?? 0, item.Properties.ETag is { } tag ? Tag(tag) : "", item.Properties.LastModified ?? default);
        }
    }

    public async Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        return (await Blob(path).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
    }

    /// <summary>Blob leases last this long and are renewed at a third of it, so a dead holder's lease lapses within a minute.</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);

    /// <summary>How often a held lease is renewed: a third of its duration, so two renewals may fail before it lapses.</summary>
    public TimeSpan LeaseRenewInterval { get; init; } = LeaseDuration / 3;

    public async Task<IArtifactLease?> TryAcquireLeaseAsync(string path, CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var blob = Blob(path);
        try
        {
            await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // It exists already (possibly leased): the lease below decides.
        }

        var lease = blob.GetBlobLeaseClient();
        try
        {
            await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return null;
        }

        return new BlobLease(lease, LeaseRenewInterval);
    }

    /// <summary>
    /// A held blob lease, renewed in the background until disposed (then released). It is lost, and says so, when a
    /// renewal is refused (the lease was broken or taken) or when no renewal succeeded for two thirds of its duration.
    /// </summary>
    private sealed class BlobLease : IArtifactLease
    {
        private readonly BlobLeaseClient _lease;
        private readonly TimeSpan _interval;
        private readonly CancellationTokenSource _stop = new();
        private readonly CancellationTokenSource _lost = new();
        private readonly Task _renewal;
        private readonly System.Diagnostics.Stopwatch _renewed = System.Diagnostics.Stopwatch.StartNew();

        public BlobLease(BlobLeaseClient lease, TimeSpan interval)
        {
            (_lease, _interval) = (lease, interval);
            _renewal = RenewAsync();
        }

        public CancellationToken Lost => _lost.Token;

        /// <summary>Renews now: a broken or taken lease is seen before the write, not at the next tick; a transient fault counts as at a tick.</summary>
        public async Task ConfirmAsync(CancellationToken cancellationToken = default)
        {
            _lost.Token.ThrowIfCancellationRequested();
            await RenewOnceAsync(cancellationToken).ConfigureAwait(false);
            _lost.Token.ThrowIfCancellationRequested();
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _renewal.ConfigureAwait(false);
            _stop.Dispose();
            _lost.Dispose();
            try
            {
                await _lease.ReleaseAsync().ConfigureAwait(false);
            }
            catch (RequestFailedException)
            {
                // Already lapsed or broken: nothing left to release.
            }
        }

        private async Task RenewAsync()
        {
            using var timer = new PeriodicTimer(_interval);
            try
            {
                while (!_lost.IsCancellationRequested && await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
                {
                    await RenewOnceAsync(_stop.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        /// <summary>
        /// One renewal. Refused (409/412: broken, or expired and taken, so another worker may write the run now): the
        /// lease is lost. A transient fault is retried at the next tick or confirmation, until the lease might have
        /// lapsed unseen, which also counts as lost.
        /// </summary>
        private async Task RenewOnceAsync(CancellationToken cancellationToken)
        {
            try
            {
                await _lease.RenewAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                DigitGanTelemetry.LeaseRenewals.Add(1);
                lock (_renewed)
                {
                    _renewed.Restart();
                }
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                DigitGanTelemetry.LeaseFailures.Add(1);
                await _lost.CancelAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RequestFailedException or IOException or HttpRequestException or TimeoutException)
            {
                DigitGanTelemetry.LeaseFailures.Add(1);
                bool lapsed;
                lock (_renewed)
                {
                    lapsed = _renewed.Elapsed >= LeaseDuration - _interval;
                }

                if (lapsed)
                {
                    await _lost.CancelAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// A blob read that can seek: it streams the whole-blob download it was opened with until a seek, then downloads
    /// from the new position with a ranged request (HTTP Range) on the same version (If-Match on its ETag). A Range
    /// request of a checkpoint so becomes a 206 that transfers only its bytes.
    /// </summary>
    private sealed class RangedBlobStream(BlobClient blob, Stream initial, long length, ETag etag) : Stream
    {
        private Stream? _current = initial;
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => Seek(value, SeekOrigin.Begin);
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            var target = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => _position + offset,
                _ => length + offset,
            };
            ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
            if (target != _position)
            {
                _current?.Dispose();
                _current = null;
                _position = target;
            }

            return _position;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position >= length || buffer.IsEmpty)
            {
                return 0;
            }

            _current ??= Download(blob.DownloadStreaming(Options()));
            var read = _current.Read(buffer);
            _position += read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= length || buffer.IsEmpty)
            {
                return 0;
            }

            _current ??= Download(await blob.DownloadStreamingAsync(Options(), cancellationToken).ConfigureAwait(false));
            var read = await _current.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            _position += read;
            return read;
        }

        private BlobDownloadOptions Options() => new() { Range = new HttpRange(_position), Conditions = new BlobRequestConditions { IfMatch = etag } };

        private static Stream Download(Response<BlobDownloadStreamingResult> response) => response.Value.Content;

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _current?.Dispose();
                _current = null;
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>The ETag without quotes: downloads and property reads quote it, listings do not.</summary>
    private static string Tag(ETag etag) => etag.ToString().Trim('"');

    private BlobClient Blob(string path) => _container.GetBlobClient(ArtifactPath.Validate(path));

    /// <summary>Creates the container on first use (concurrent first calls are harmless; a failure is retried next call).</summary>
    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (!_containerExists)
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            _containerExists = true;
        }
    }
}
