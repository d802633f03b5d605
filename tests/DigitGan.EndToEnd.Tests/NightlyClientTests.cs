using System.Net.Http.Json;
using DigitGan.Shared.Runs;
using DigitGan.Testing;
using Xunit;

namespace DigitGan.EndToEnd.Tests;

/// <summary>
/// scripts/nightly.sh, which the nightly-training workflow runs, against the embedded default: a 1-epoch small run
/// (the workflow's settings, made small with NIGHTLY_EXTRA_ARGS), then its exit code, downloads and summary.
/// </summary>
public sealed class NightlyClientTests(EmbeddedAppFixture app) : IClassFixture<EmbeddedAppFixture>
{
    private const string SmallRun = "--train-subset 512 --eval-samples 100 --checkpoint-every 1";

    [Fact]
    public async Task Submits_waits_downloads_the_grid_and_gif_and_writes_the_summary()
    {
        var (client, output, summary) = Start("7", maxFid: "1000");
        Assert.True(client.WaitForExit(TimeSpan.FromMinutes(5)), client.Output);
        Assert.True(client.ExitCode == 0, client.Output);

        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(Path.Combine(output, "final-grid.png"))[..4]);
        Assert.Equal("GIF89a"u8.ToArray(), File.ReadAllBytes(Path.Combine(output, "dcgan.gif"))[..6]);
        var manifest = System.Text.Json.JsonSerializer.Deserialize<RunManifest>(File.ReadAllText(Path.Combine(output, "manifest.json")), RunsApiClient.Json)!;
        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        Assert.Contains("nightly", manifest.Spec.Tags);
        Assert.Contains(new string('a', 40), manifest.Spec.Tags);
        Assert.Contains("extra", manifest.Spec.Tags);

        var text = File.ReadAllText(summary);
        Assert.Contains(": passed", text);
        Assert.Contains($"{app.BaseUrl}/runs/{manifest.RunId}", text);
        Assert.Contains("final FID (floor)", text);
        Assert.Contains("final D / G loss", text);
        Assert.Contains("min training", text);

        // The nightly view lists it.
        var nightly = await app.Client.GetFromJsonAsync<RunPage>("/api/runs?tag=nightly", RunsApiClient.Json);
        Assert.Contains(nightly!.Runs, r => r.RunId == manifest.RunId);
    }

    [Fact]
    public void Exits_non_zero_when_the_fid_is_worse_than_the_threshold()
    {
        var (client, _, summary) = Start("8", maxFid: "0.001");
        Assert.True(client.WaitForExit(TimeSpan.FromMinutes(5)), client.Output);
        Assert.Equal(1, client.ExitCode);
        Assert.Contains("is worse than the threshold 0.001", client.Output);
        Assert.Contains(": FAILED", File.ReadAllText(summary));
    }

    [Fact]
    public async Task Exits_non_zero_when_the_run_does_not_succeed()
    {
        var (client, _, summary) = Start("9", maxFid: null, epochs: "50");
        Guid runId = default;
        for (var i = 0; i < 600 && runId == default; i++)
        {
            var page = await app.Client.GetFromJsonAsync<RunPage>("/api/runs?tag=nightly", RunsApiClient.Json);
            runId = page!.Runs.FirstOrDefault(r => r.Name == "nightly-seed-9")?.RunId ?? default;
            await Task.Delay(100);
        }

        Assert.NotEqual(default, runId);
        using (var cancel = await app.Client.PostAsync($"/api/runs/{runId}/cancel", null))
        {
            Assert.True(cancel.IsSuccessStatusCode);
        }

        Assert.True(client.WaitForExit(TimeSpan.FromMinutes(5)), client.Output);
        Assert.Equal(1, client.ExitCode);
        Assert.Contains("The run ended Cancelled", client.Output);
        Assert.Contains(": FAILED", File.ReadAllText(summary));
    }

    [Fact]
    public void A_wrong_api_key_is_a_clear_usage_error()
    {
        using var client = ServiceProcess.StartScript("scripts/nightly.sh", [],
        [
            ("DIGITGAN_URL", app.BaseUrl), ("DIGITGAN_API_KEY", "wrong"), ("OUT", Path.Combine(app.DataFolder, "nightly-wrong")), ("EPOCHS", "1"),
        ]);
        Assert.True(client.WaitForExit(TimeSpan.FromMinutes(2)), client.Output);
        Assert.Equal(2, client.ExitCode);
        Assert.Contains("refused the API key", client.Output);
        Assert.DoesNotContain("   at ", client.Output);
    }

    /// <summary>Starts scripts/nightly.sh with the workflow's environment; returns it, its output folder and its summary file.</summary>
    private (ServiceProcess Client, string Output, string Summary) Start(string seed, string? maxFid, string epochs = "1")
    {
        var output = Path.Combine(app.DataFolder, $"nightly-{seed}");
        var summary = Path.Combine(output, "step-summary.md");
        var client = ServiceProcess.StartScript("scripts/nightly.sh", [],
        [
            ("DIGITGAN_URL", app.BaseUrl),
            ("DIGITGAN_API_KEY", EmbeddedAppFixture.Key),
            ("EPOCHS", epochs),
            ("SEED", seed),
            ("TAGS", "extra"),
            ("MAX_FID", maxFid ?? ""),
            ("TIMEOUT_MINUTES", "10"),
            ("POLL_SECONDS", "1"),
            ("OUT", output),
            ("GITHUB_SHA", new string('a', 40)),
            ("GITHUB_STEP_SUMMARY", summary),
            ("NIGHTLY_NAME", $"nightly-seed-{seed}"),
            ("NIGHTLY_EXTRA_ARGS", SmallRun),
        ]);
        return (client, output, summary);
    }
}
