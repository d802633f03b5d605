using System.Runtime.CompilerServices;
using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
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
            var response = await Blob(path).DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            var details = response.Value.Details;
            return new ArtifactReader(response.Value.Content, new ArtifactInfo(path, details.ContentLength, Tag(details.ETag), details.LastModified));
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

    public async Task<IAsyncDisposable?> TryAcquireLeaseAsync(string path, CancellationToken cancellationToken = default)
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

        var lease = Azure.Storage.Blobs.Specialized.SpecializedBlobExtensions.GetBlobLeaseClient(blob);
        try
        {
            await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return null;
        }

        return new BlobLease(lease);
    }

    /// <summary>A held blob lease, renewed in the background until disposed (then released).</summary>
    private sealed class BlobLease : IAsyncDisposable
    {
        private readonly Azure.Storage.Blobs.Specialized.BlobLeaseClient _lease;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewal;

        public BlobLease(Azure.Storage.Blobs.Specialized.BlobLeaseClient lease)
        {
            _lease = lease;
            _renewal = RenewAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _renewal.ConfigureAwait(false);
            _stop.Dispose();
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
            using var timer = new PeriodicTimer(LeaseDuration / 3);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
                {
                    try
                    {
                        await _lease.RenewAsync(cancellationToken: _stop.Token).ConfigureAwait(false);
                        DigitGanTelemetry.LeaseRenewals.Add(1);
                    }
                    catch (RequestFailedException)
                    {
                        // A missed renewal is retried at the next tick; the lease lasts three ticks.
                        DigitGanTelemetry.LeaseFailures.Add(1);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
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
