using System.Globalization;
using System.Net;
using System.Text.Json;
using DigitGan.Jobs.Hosting;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using DigitGan.Shared.Hosting;
using DigitGan.Testing;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace DigitGan.Jobs.Tests.Hosting;

/// <summary>The worker's probes on DigitGan:Health:Port: live while it runs, ready once its store holds verified datasets.</summary>
public sealed class WorkerHealthTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("digitgan-worker-health-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task Live_answers_and_ready_says_what_is_missing_until_the_datasets_are_in_the_store()
    {
        var port = Ports.Free();
        using var host = WorkerHost.Build([$"--DigitGan:DataFolder={_data}", $"--DigitGan:Health:Port={port.ToString(CultureInfo.InvariantCulture)}"], null, out _);
        await host.StartAsync(Ct);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        using (var live = await http.GetAsync("/health/live", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        var (status, body) = await GetAsync(http, "/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("MNIST is not in the store", body, StringComparison.Ordinal);
        Assert.Contains("No digit classifier in the store", body, StringComparison.Ordinal);

        var store = new FileArtifactStore(Path.Combine(_data, "store"));
        await MnistDataset.ImportAsync(store, DataPaths.MnistCache, Ct);
        Assert.True(await ClassifierFiles.ImportAsync(store, DataPaths.ClassifierCache, Ct), $"No classifier in {DataPaths.ClassifierCache}: run scripts/setup.sh first.");
        (status, body) = await GetAsync(http, "/health/ready");
        Assert.True(status == HttpStatusCode.OK, body);
        using var report = JsonDocument.Parse(body);
        Assert.Equal(["classifier", "mnist", "queue", "store"], report.RootElement.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).Order());

        using (var unknown = await http.GetAsync("/metrics", Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        await host.StopAsync(Ct);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("70000")]
    [InlineData("http")]
    public void A_bad_port_stops_the_worker_naming_the_setting(string port)
    {
        var error = Assert.Throws<DigitGanConfigurationException>(() => WorkerHost.Build([$"--DigitGan:DataFolder={_data}", $"--DigitGan:Health:Port={port}"], null, out _));
        Assert.Contains("DigitGan:Health:Port", error.Message, StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }
}
