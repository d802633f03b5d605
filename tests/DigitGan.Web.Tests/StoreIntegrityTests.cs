using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace DigitGan.Web.Tests;

/// <summary>A damaged store stays usable: an unreadable index is rebuilt, and a corrupt manifest affects only its own run.</summary>
public sealed class StoreIntegrityTests : IDisposable
{
    private readonly WebAppFactory _factory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _factory.Dispose();

    private string StoreFile(string path) => Path.Combine(_factory.DataFolder, "store", path);

    private static async Task<JsonElement> ListAsync(HttpClient client)
        => JsonDocument.Parse(await client.GetStringAsync("/api/runs?pageSize=200", Ct)).RootElement;

    [Fact]
    public async Task An_unreadable_index_is_rebuilt_and_listing_and_submits_keep_working()
    {
        using var client = _factory.CreateAuthorizedClient();
        var first = await _factory.SubmitAsync(client, new { name = "before-damage", epochs = 1 });
        await File.WriteAllTextAsync(StoreFile(RunArtifactLayout.RunIndex), "{\"runs\": [", Ct);

        var second = await _factory.SubmitAsync(client, new { name = "after-damage", epochs = 1 });

        var listed = (await ListAsync(client)).GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("runId").GetGuid()).ToList();
        Assert.Equal(new[] { first.RunId, second.RunId }.Order(), listed.Order());
    }

    [Fact]
    public async Task A_corrupt_manifest_shows_its_run_as_damaged_with_the_reason_and_the_run_can_be_deleted()
    {
        using var client = _factory.CreateAuthorizedClient();
        var healthy = await _factory.SubmitAsync(client, new { name = "healthy", epochs = 1 });
        var broken = await _factory.SubmitAsync(client, new { name = "broken", epochs = 1 });
        await File.WriteAllTextAsync(StoreFile(RunArtifactLayout.Manifest(broken.RunId)), "{\"runId\": \"trunc", Ct);

        using var get = await client.GetAsync($"/api/runs/{broken.RunId}", Ct);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        var manifest = JsonDocument.Parse(await get.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("Damaged", manifest.GetProperty("status").GetString());
        Assert.Contains("manifest.json", manifest.GetProperty("error").GetString(), StringComparison.Ordinal);

        var listed = (await ListAsync(client)).GetProperty("runs").EnumerateArray().ToDictionary(r => r.GetProperty("runId").GetGuid());
        Assert.Equal("Damaged", listed[broken.RunId].GetProperty("status").GetString());
        Assert.Contains("manifest.json", listed[broken.RunId].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("Queued", listed[healthy.RunId].GetProperty("status").GetString());

        using var cancel = await client.PostAsync($"/api/runs/{broken.RunId}/cancel", null, Ct);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        using var delete = await client.DeleteAsync($"/api/runs/{broken.RunId}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.False(Directory.Exists(StoreFile($"runs/{broken.RunId}")));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/runs/{broken.RunId}", Ct)).StatusCode);
        var remaining = (await ListAsync(client)).GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("runId").GetGuid());
        Assert.Equal([healthy.RunId], remaining);
        await foreach (var _ in _factory.Services.GetRequiredService<IArtifactStore>().ListAsync(RunArtifactLayout.RunPrefix(broken.RunId), Ct))
        {
            Assert.Fail("an artifact of the deleted run is left");
        }
    }

    [Fact]
    public async Task A_page_far_past_the_end_is_a_400_not_page_one()
    {
        using var client = _factory.CreateAuthorizedClient();
        await _factory.SubmitAsync(client, new { name = "only", epochs = 1 });

        using var huge = await client.GetAsync($"/api/runs?page={int.MaxValue}", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, huge.StatusCode);
        Assert.Contains("\"page\"", await huge.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var past = await client.GetFromJsonAsync<RunPage>($"/api/runs?page=1000&pageSize=200", WebAppFactory.Json, Ct);
        Assert.Empty(past!.Runs);
    }
}
