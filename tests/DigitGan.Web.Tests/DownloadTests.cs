using System.Net;
using System.Net.Http.Headers;
using DigitGan.Shared.Artifacts;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace DigitGan.Web.Tests;

/// <summary>Checkpoint downloads speak HTTP: HEAD, Range (206) and ETag with If-None-Match (304).</summary>
public sealed class DownloadTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(Guid RunId, byte[] Bytes)> RunWithCheckpointAsync()
    {
        using var client = factory.CreateAuthorizedClient();
        var run = await factory.SubmitAsync(client, new { name = "download", epochs = 2 });
        var bytes = new byte[100_000];
        new Random(3).NextBytes(bytes);
        await factory.Services.GetRequiredService<IArtifactStore>().PutBytesAsync(RunArtifactLayout.LatestCheckpoint(run.RunId), bytes, cancellationToken: Ct);
        return (run.RunId, bytes);
    }

    [Fact]
    public async Task A_checkpoint_has_an_etag_and_a_repeat_with_if_none_match_is_a_304()
    {
        var (runId, bytes) = await RunWithCheckpointAsync();
        using var client = factory.CreateClient();
        using var first = await client.GetAsync($"/api/runs/{runId}/checkpoints/latest", Ct);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(bytes, await first.Content.ReadAsByteArrayAsync(Ct));
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);

        using var again = new HttpRequestMessage(HttpMethod.Get, $"/api/runs/{runId}/checkpoints/latest");
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await client.SendAsync(again, Ct);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task A_range_request_gets_a_206_with_just_those_bytes()
    {
        var (runId, bytes) = await RunWithCheckpointAsync();
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/runs/{runId}/checkpoints/latest");
        request.Headers.Range = new RangeHeaderValue(1_000, 1_999);
        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(bytes[1_000..2_000], await response.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(bytes.Length, response.Content.Headers.ContentRange?.Length);
    }

    [Fact]
    public async Task Head_tells_the_size_and_etag_without_the_body()
    {
        var (runId, bytes) = await RunWithCheckpointAsync();
        using var client = factory.CreateClient();
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/api/runs/{runId}/checkpoints/latest"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal("bytes", Assert.Single(response.Headers.AcceptRanges));
    }
}
