using System.Net;
using System.Net.Http.Headers;
using DigitGan.Shared.Artifacts;
using DigitGan.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace DigitGan.Web.Tests;

/// <summary>On Blob storage (a real Azurite) a Range request of a checkpoint is a 206 served by a ranged blob download.</summary>
public sealed class BlobDownloadTests(AzuriteServer azurite) : IClassFixture<AzuriteServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_range_request_of_a_blob_checkpoint_gets_a_206_with_just_those_bytes()
    {
        using var factory = new BlobWebAppFactory(azurite.ConnectionString);
        using var client = factory.CreateAuthorizedClient();
        var run = await factory.SubmitAsync(client, new { name = "blob-download", epochs = 2 });
        var bytes = new byte[2_000_000];
        new Random(4).NextBytes(bytes);
        var store = factory.Services.GetRequiredService<IArtifactStore>();
        Assert.IsType<BlobArtifactStore>(store);
        await store.PutBytesAsync(RunArtifactLayout.LatestCheckpoint(run.RunId), bytes, cancellationToken: Ct);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/runs/{run.RunId}/checkpoints/latest");
        request.Headers.Range = new RangeHeaderValue(1_500_000, 1_500_999);
        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(bytes[1_500_000..1_501_000], await response.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(bytes.Length, response.Content.Headers.ContentRange?.Length);

        using var whole = await client.GetAsync($"/api/runs/{run.RunId}/checkpoints/latest", Ct);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(bytes, await whole.Content.ReadAsByteArrayAsync(Ct));
    }

    private sealed class BlobWebAppFactory(string connectionString) : WebAppFactory
    {
        protected override void Configure(IWebHostBuilder builder)
        {
            builder.UseSetting("DigitGan:Storage:Kind", "Blob");
            builder.UseSetting("DigitGan:Storage:ConnectionString", connectionString);
            builder.UseSetting("DigitGan:Storage:Container", "downloads");
        }
    }
}
