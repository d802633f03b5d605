using System.Net;
using System.Text.Json;
using Azure.Storage.Blobs;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using DigitGan.Shared.Hosting;
using DigitGan.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace DigitGan.Web.Tests;

/// <summary>/health/live answers while the app runs; /health/ready is 503 naming what is missing, down or corrupt.</summary>
public sealed class HealthTests : IDisposable
{
    private readonly WebAppFactory _factory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Ready_is_200_when_the_store_and_queue_answer_and_mnist_and_the_classifier_verify()
    {
        using var client = _factory.CreateClient();
        await ImportDatasetsAsync();

        var (status, checks) = await GetAsync(client, "/health/ready");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["classifier", "mnist", "queue", "store"], checks.Keys.Order());
        Assert.All(checks.Values, c => Assert.Equal("Healthy", c.Status));
        Assert.Contains("published SHA-256", checks["mnist"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_mnist_missing_ready_is_503_with_the_reason_and_live_is_200()
    {
        using var client = _factory.CreateClient();
        await ImportDatasetsAsync();
        File.Delete(StorePath(RunArtifactLayout.MnistFile(MnistFiles.TestLabels)));

        var (ready, checks) = await GetAsync(client, "/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready);
        Assert.Equal("Unhealthy", checks["mnist"].Status);
        Assert.Contains($"{RunArtifactLayout.MnistFile(MnistFiles.TestLabels)} is missing", checks["mnist"].Description, StringComparison.Ordinal);
        Assert.Equal("Healthy", checks["store"].Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/health/live")).Status);

        File.Delete(StorePath(RunArtifactLayout.MnistManifest));
        var (_, without) = await GetAsync(client, "/health/ready");
        Assert.Contains("MNIST is not in the store", without["mnist"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changed_mnist_file_or_classifier_is_found_by_its_hash()
    {
        using var client = _factory.CreateClient();
        await ImportDatasetsAsync();
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/health/ready")).Status); // verified once ...

        var labels = StorePath(RunArtifactLayout.MnistFile(MnistFiles.TestLabels));
        var bytes = await File.ReadAllBytesAsync(labels, Ct);
        bytes[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(labels, bytes, Ct); // ... and changed afterwards: a new ETag, hashed again
        var weights = StorePath(RunArtifactLayout.ClassifierWeights);
        await File.AppendAllTextAsync(weights, "x", Ct);

        var (status, checks) = await GetAsync(client, "/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("MNIST is corrupt", checks["mnist"].Description, StringComparison.Ordinal);
        Assert.Contains("The classifier is corrupt", checks["classifier"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_store_down_ready_is_503_and_live_is_200()
    {
        // A real blob client aimed at a port nothing listens on, without the SDK's retries: connections are refused.
        var deadStore = new BlobArtifactStore(new BlobContainerClient(
            new Uri($"http://127.0.0.1:{Ports.Free()}/devstoreaccount1/digitgan"),
            new BlobClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(5) } }));
        using var down = _factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<IArtifactStore>(deadStore)));
        using var client = down.CreateClient();

        var (ready, checks) = await GetAsync(client, "/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready);
        Assert.Equal("Unhealthy", checks["store"].Status);
        Assert.Contains("does not answer", checks["store"].Description, StringComparison.Ordinal);
        Assert.Equal("Healthy", checks["queue"].Status);

        var (live, liveChecks) = await GetAsync(client, "/health/live");
        Assert.Equal(HttpStatusCode.OK, live);
        Assert.Empty(liveChecks);
    }

    private string StorePath(string artifact) => Path.Combine(_factory.DataFolder, "store", artifact);

    private async Task ImportDatasetsAsync()
    {
        var store = new FileArtifactStore(Path.Combine(_factory.DataFolder, "store"));
        Assert.True(File.Exists(Path.Combine(DataPaths.MnistCache, MnistFiles.TrainImages)), $"MNIST is not in {DataPaths.MnistCache}: run scripts/setup.sh first.");
        await MnistDataset.EnsureImportedAsync(store, DataPaths.MnistCache, Ct);
        Assert.True(await ClassifierFiles.EnsureImportedAsync(store, DataPaths.ClassifierCache, Ct), $"No classifier in {DataPaths.ClassifierCache}: run scripts/setup.sh first.");
    }

    private static async Task<(HttpStatusCode Status, Dictionary<string, Check> Checks)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, Ct);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var checks = body.RootElement.GetProperty("checks").EnumerateArray().ToDictionary(
            c => c.GetProperty("name").GetString()!,
            c => new Check(c.GetProperty("status").GetString()!, c.GetProperty("description").GetString() ?? ""));
        return (response.StatusCode, checks);
    }

    private sealed record Check(string Status, string Description);
}
