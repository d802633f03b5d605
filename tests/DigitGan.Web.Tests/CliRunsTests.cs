using System.Text.Json;
using DigitGan.Jobs.Cli;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DigitGan.Web.Tests;

/// <summary>The CLI's `runs` verbs against the web app on a real port, through its REST API.</summary>
public sealed class CliRunsTests(KestrelWebAppFactory factory) : IClassFixture<KestrelWebAppFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(int Code, string Output, string Error)> CliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await DigitGanCli.RunAsync([.. args, "--url", factory.Address.ToString(), "--api-key", WebAppFactory.Key], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task List_filters_by_every_tag_given_and_prints_json_or_a_table()
    {
        using var client = factory.CreateAuthorizedClient();
        var both = await factory.SubmitAsync(client, new { name = "cli-both", tags = new[] { "cli-a", "cli-b" }, epochs = 1 });
        var onlyA = await factory.SubmitAsync(client, new { name = "cli-only-a", tags = new[] { "cli-a" }, epochs = 1 });

        var (code, json, error) = await CliAsync("runs", "list", "--tag", "cli-a", "--tag", "cli-b", "--json");
        Assert.True(code == 0, error);
        var page = JsonSerializer.Deserialize<RunPage>(json, ArtifactJson.Options)!;
        Assert.Equal([both.RunId], page.Runs.Select(r => r.RunId));

        (code, json, error) = await CliAsync("runs", "list", "--tag", "cli-a", "--search", "ONLY", "--filter", "epochs = 1 and status = queued", "--json");
        Assert.True(code == 0, error);
        Assert.Equal([onlyA.RunId], JsonSerializer.Deserialize<RunPage>(json, ArtifactJson.Options)!.Runs.Select(r => r.RunId));

        (code, _, error) = await CliAsync("runs", "list", "--filter", "fid <");
        Assert.Equal(DigitGanCli.UsageError, code);
        Assert.Contains("--filter: Position 6: Expected a value", error, StringComparison.Ordinal);

        (code, var table, error) = await CliAsync("runs", "list", "--tag", "cli-a", "--status", "Queued");
        Assert.True(code == 0, error);
        Assert.Contains($"{onlyA.RunId}  Queued", table, StringComparison.Ordinal);
        Assert.Contains("cli-both [cli-a, cli-b]", table, StringComparison.Ordinal);
        Assert.Contains("2 of 2 run(s), page 1.", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_and_cancel_print_the_manifest_and_an_unknown_run_exits_1()
    {
        using var client = factory.CreateAuthorizedClient();
        var run = await factory.SubmitAsync(client, new { name = "cli-show", epochs = 3, learningRate = 3e-4 });

        var (code, json, error) = await CliAsync("runs", "show", run.RunId.ToString(), "--json");
        Assert.True(code == 0, error);
        var shown = JsonSerializer.Deserialize<RunManifest>(json, ArtifactJson.Options)!;
        Assert.Equal((run.RunId, "cli-show", 3e-4, RunStatus.Queued), (shown.RunId, shown.Spec.Name, shown.Spec.LearningRate, shown.Status));

        (code, var text, error) = await CliAsync("runs", "show", run.RunId.ToString());
        Assert.True(code == 0, error);
        Assert.Contains("learningRate: 0.0003", text, StringComparison.Ordinal);
        Assert.Contains("status: Queued, epoch 0/3", text, StringComparison.Ordinal);

        (code, json, error) = await CliAsync("runs", "cancel", run.RunId.ToString(), "--json");
        Assert.True(code == 0, error);
        Assert.Equal(RunStatus.Cancelled, JsonSerializer.Deserialize<RunManifest>(json, ArtifactJson.Options)!.Status);
        Assert.Equal(RunStatus.Cancelled, (await WebAppFactory.GetRunAsync(client, run.RunId)).Status);

        var unknown = Guid.NewGuid();
        (code, _, error) = await CliAsync("runs", "show", unknown.ToString());
        Assert.Equal(DigitGanCli.Failure, code);
        Assert.Contains($"Run {unknown} does not exist", error, StringComparison.Ordinal);

        (code, _, error) = await CliAsync("runs", "list", "--status", "sideways");
        Assert.Equal(DigitGanCli.UsageError, code);
        Assert.Contains("sideways", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Download_writes_the_run_files_and_a_checkpoint_with_the_stored_bytes()
    {
        using var client = factory.CreateAuthorizedClient();
        var run = await factory.SubmitAsync(client, new { name = "cli-download", epochs = 1, batchSize = 128, trainSubset = 256, evaluateEvery = 0, checkpointEvery = 1 });
        var store = factory.Services.GetRequiredService<IArtifactStore>();
        await MnistDataset.EnsureImportedAsync(store, DataPaths.MnistCache, Ct);
        await new TrainingJob(store, NullLogger<TrainingJob>.Instance).RunAsync(run.RunId, Ct);

        var folder = Path.Combine(factory.DataFolder, "cli-download");
        var (code, json, error) = await CliAsync("runs", "download", run.RunId.ToString(), "--out", folder, "--checkpoint", "1", "--json");
        Assert.True(code == 0, error);
        using var answer = JsonDocument.Parse(json);
        var files = answer.RootElement.GetProperty("files").EnumerateArray().Select(f => Path.GetFileName(f.GetString()!)).Order().ToList();
        Assert.Equal(["dcgan.gif", "epoch-0001.ckpt", "final-grid.png", "manifest.json", "metrics.jsonl"], files);
        Assert.Equal(await store.GetBytesAsync(RunArtifactLayout.Checkpoint(run.RunId, 1), Ct), await File.ReadAllBytesAsync(Path.Combine(folder, "epoch-0001.ckpt"), Ct));
        Assert.Equal(RunStatus.Succeeded, JsonSerializer.Deserialize<RunManifest>(await File.ReadAllTextAsync(Path.Combine(folder, "manifest.json"), Ct), ArtifactJson.Options)!.Status);

        (code, _, error) = await CliAsync("runs", "download", run.RunId.ToString(), "--out", folder, "--checkpoint", "9");
        Assert.Equal(DigitGanCli.Failure, code);
        Assert.Contains("no checkpoint '9'", error, StringComparison.Ordinal);
    }
}
