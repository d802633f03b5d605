using System.Diagnostics;
using DigitGan.Jobs.Cli;
using DigitGan.Jobs.Evaluation;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using SkiaSharp;
using DigitGan.Testing;
using Xunit;

namespace DigitGan.Jobs.Tests.Cli;

public sealed class CliTests(MnistStoreFixture fixture) : IClassFixture<MnistStoreFixture>
{
    [Theory]
    [InlineData("train --epochs 0", "--epochs")]
    [InlineData("train --epochs 501", "--epochs")]
    [InlineData("train --epochs many", "many")]
    [InlineData("train --batch-size 1", "--batch-size")]
    [InlineData("train --lr -1", "--lr")]
    [InlineData("train --noise-dim 0", "--noise-dim")]
    [InlineData("train --step sideways", "sideways")]
    [InlineData("train --threads 0", "--threads")]
    [InlineData("train --train-subset 100", "--train-subset")]
    [InlineData("train --bogus", "--bogus")]
    [InlineData("paint", "paint")]
    [InlineData("bench --steps 0", "--steps")]
    [InlineData("sample --count 0", "--count")]
    [InlineData("train --eval-samples 10", "--eval-samples")]
    [InlineData("train --eval-every -1", "--eval-every")]
    [InlineData("evaluate --samples 0", "--samples")]
    [InlineData("evaluate --sample-keep 2", "--sample-keep")]
    [InlineData("sample --sample-keep 0.1", "--sample-keep")]
    [InlineData("sample --cluster x", "x")]
    [InlineData("train --sample-keep 0", "--sample-keep")]
    [InlineData("train-classifier --epochs 0", "--epochs")]
    public async Task Bad_flags_exit_2_with_a_message_naming_the_problem(string commandLine, string mentioned)
    {
        var (code, error) = await RunAsync(commandLine.Split(' '));
        Assert.Equal(DigitGanCli.UsageError, code);
        Assert.Contains(mentioned, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sample_of_a_missing_or_bad_checkpoint_fails_cleanly()
    {
        var missing = Path.Combine(fixture.Root, "nope.ckpt");
        var (code, error) = await RunAsync(["sample", "--checkpoint", missing]);
        Assert.Equal(DigitGanCli.Failure, code);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);

        var junk = Path.Combine(fixture.Root, "junk.ckpt");
        await File.WriteAllTextAsync(junk, "not a checkpoint at all, just text that is long enough to be read");
        (code, error) = await RunAsync(["sample", "--checkpoint", junk]);
        Assert.Equal(DigitGanCli.Failure, code);
        Assert.Contains("not a DigitGan checkpoint", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_without_mnist_says_how_to_get_it()
    {
        var empty = Path.Combine(fixture.Root, "empty-store");
        var previous = Environment.GetEnvironmentVariable("DIGITGAN_CACHE");
        Environment.SetEnvironmentVariable("DIGITGAN_CACHE", Path.Combine(fixture.Root, "no-cache"));
        try
        {
            var (code, error) = await RunAsync(["train", "--store", empty, "--epochs", "1", "--max-steps", "1"]);
            Assert.Equal(DigitGanCli.Failure, code);
            Assert.Contains("setup.sh", error, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("DIGITGAN_CACHE", previous);
        }
    }

    [Fact]
    public async Task Train_then_sample_and_resume_through_the_cli()
    {
        var store = fixture.Store.Root;
        var (code, error) = await RunAsync(["train", "--store", store, "--epochs", "1", "--train-subset", "256", "--batch-size", "128", "--seed", "3", "--name", "cli-test", "--tag", "ci", "--eval-samples", "500"]);
        Assert.True(code == 0, error);

        var run = await FindRunAsync("cli-test");
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(["ci"], run.Spec.Tags);

        var png = Path.Combine(fixture.Root, "digits.png");
        (code, error) = await RunAsync(["sample", "--store", store, "--run", run.RunId.ToString(), "--count", "10", "--out", png]);
        Assert.True(code == 0, error);
        using (var bitmap = SKBitmap.Decode(png))
        {
            Assert.Equal((4 * 28 * 4) + (5 * 2), bitmap.Width); // 10 digits -> 4 columns, scale 4, 2 px gaps
        }

        var checkpoint = Path.Combine(store, RunArtifactLayout.Checkpoint(run.RunId, 1));
        (code, error) = await RunAsync(["sample", "--checkpoint", checkpoint, "--count", "4", "--out", png]);
        Assert.True(code == 0, error);

        // The setup cache's classifier was imported into the store, so the run was scored; `evaluate` on its
        // checkpoint uses the same fixed evaluation noise and must reproduce the recorded figures exactly.
        Assert.Null(run.QualityMetricsOff);
        var recorded = Assert.IsType<EvaluationMetrics>(run.LatestEvaluation);
        Assert.Equal((1, 500), (recorded.Epoch, recorded.Samples));
        var json = Path.Combine(fixture.Root, "evaluation.json");
        (code, error) = await RunAsync(["evaluate", checkpoint, "--store", store, "--samples", "500", "--out", json]);
        Assert.True(code == 0, error);
        var report = System.Text.Json.JsonSerializer.Deserialize<EvaluationReport>(await File.ReadAllBytesAsync(json), ArtifactJson.Options)!;
        Assert.Equal(("checkpoint", run.RunId), (report.SourceKind, report.RunId));
        Assert.Equal(recorded.Fid, report.Metrics.Fid, 1e-9);
        Assert.Equal(recorded.InceptionScore, report.Metrics.InceptionScore, 1e-9);
        Assert.Equal(recorded.ClassHistogram, report.Metrics.ClassHistogram);

        (code, error) = await RunAsync(["train", "--store", store, "--resume", run.RunId.ToString()]);
        Assert.True(code == 0, error); // already succeeded: nothing to do, still success

        (code, error) = await RunAsync(["train", "--store", store, "--resume", Guid.NewGuid().ToString()]);
        Assert.Equal(DigitGanCli.Failure, code);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ranked_run_records_ranked_scores_that_evaluate_reproduces_and_can_rescore_without_ranking()
    {
        var store = fixture.Store.Root;
        var (code, error) = await RunAsync(["train", "--store", store, "--epochs", "1", "--train-subset", "256", "--batch-size", "128", "--seed", "6", "--name", "ranked",
            "--eval-samples", "500", "--sample-keep", "0.5", "--checkpoint-every", "1"]);
        Assert.True(code == 0, error);
        var run = await FindRunAsync("ranked");
        Assert.Equal(0.5, run.Spec.SampleKeep);
        var recorded = Assert.IsType<EvaluationMetrics>(run.LatestEvaluation);
        Assert.Equal(500, recorded.Samples);

        var checkpoint = Path.Combine(store, RunArtifactLayout.Checkpoint(run.RunId, 1));
        async Task<EvaluationReport> EvaluateAsync(params string[] extra)
        {
            var json = Path.Combine(fixture.Root, $"ranked-{extra.Length}.json");
            var (exit, message) = await RunAsync(["evaluate", checkpoint, "--store", store, "--out", json, .. extra]);
            Assert.True(exit == 0, message);
            return System.Text.Json.JsonSerializer.Deserialize<EvaluationReport>(await File.ReadAllBytesAsync(json), ArtifactJson.Options)!;
        }

        var ranked = await EvaluateAsync(); // the run's own ranking and noise: the recorded figures exactly
        Assert.Equal((0.5, 500), (ranked.SampleKeep, ranked.Metrics.Samples));
        Assert.Equal(recorded.InceptionScore, ranked.Metrics.InceptionScore, 1e-9);
        Assert.Equal(recorded.ClassHistogram, ranked.Metrics.ClassHistogram);

        var all = await EvaluateAsync("--sample-keep", "1");
        Assert.Equal((1.0, 500), (all.SampleKeep, all.Metrics.Samples));
        Assert.NotEqual(recorded.Fid, all.Metrics.Fid);

        var png = Path.Combine(fixture.Root, "ranked.png");
        (code, error) = await RunAsync(["sample", "--checkpoint", checkpoint, "--count", "9", "--sample-keep", "0.25", "--out", png]);
        Assert.True(code == 0, error);
        Assert.True(File.Exists(png));
    }

    [Fact]
    public async Task Evaluate_by_cluster_splits_the_unranked_digits_by_cluster_and_sample_draws_one_cluster()
    {
        var store = fixture.Store.Root;
        var (code, error) = await RunAsync(["train", "--store", store, "--epochs", "1", "--train-subset", "256", "--batch-size", "128", "--seed", "8", "--name", "clustered",
            "--eval-samples", "500", "--latent-clusters", "4", "--sampling", "batch", "--checkpoint-every", "1"]);
        Assert.True(code == 0, error);
        var run = await FindRunAsync("clustered");
        var checkpoint = Path.Combine(store, RunArtifactLayout.Checkpoint(run.RunId, 1));

        var json = Path.Combine(fixture.Root, "by-cluster.json");
        (code, error) = await RunAsync(["evaluate", checkpoint, "--store", store, "--by-cluster", "--out", json]);
        Assert.True(code == 0, error);
        var report = System.Text.Json.JsonSerializer.Deserialize<EvaluationReport>(await File.ReadAllBytesAsync(json), ArtifactJson.Options)!;
        var clusters = Assert.IsAssignableFrom<IReadOnlyList<ClusterMetrics>>(report.Clusters);

        // The same 500 digits the (unranked) evaluation scored, drawn in the same batches, only split by cluster.
        Assert.Equal([0, 1, 2, 3], clusters.Select(c => c.Cluster));
        Assert.Equal(500, clusters.Sum(c => c.Samples));
        Assert.All(clusters, c => Assert.InRange(c.Samples, 60, 190)); // 125 expected each
        var summed = Enumerable.Range(0, 10).Select(digit => clusters.Sum(c => c.ClassHistogram[digit]));
        Assert.Equal(report.Metrics.ClassHistogram, summed);
        Assert.All(clusters, c =>
        {
            Assert.Equal(c.ClassHistogram.Max(), c.ClassHistogram[c.TopClass]);
            Assert.Equal((double)c.ClassHistogram[c.TopClass] / c.Samples, c.TopClassShare, 1e-12);
            Assert.InRange(c.InceptionScore, 1, 10);
        });

        var png = Path.Combine(fixture.Root, "cluster.png");
        (code, error) = await RunAsync(["sample", "--checkpoint", checkpoint, "--cluster", "3", "--count", "9", "--out", png]);
        Assert.True(code == 0, error);
        var first = await File.ReadAllBytesAsync(png);
        (code, error) = await RunAsync(["sample", "--checkpoint", checkpoint, "--cluster", "0", "--count", "9", "--out", png]);
        Assert.True(code == 0, error);
        Assert.NotEqual(first, await File.ReadAllBytesAsync(png));

        (code, error) = await RunAsync(["sample", "--checkpoint", checkpoint, "--cluster", "4", "--out", png]);
        Assert.Equal(DigitGanCli.Failure, code);
        Assert.Contains("--cluster must be 0 to 3", error, StringComparison.Ordinal);

        // A run of the standard normal prior has no clusters to split or draw.
        (code, error) = await RunAsync(["train", "--store", store, "--epochs", "1", "--train-subset", "256", "--batch-size", "128", "--seed", "8", "--name", "unclustered",
            "--eval-samples", "500", "--checkpoint-every", "1"]);
        Assert.True(code == 0, error);
        var normal = Path.Combine(store, RunArtifactLayout.Checkpoint((await FindRunAsync("unclustered")).RunId, 1));
        (code, error) = await RunAsync(["evaluate", normal, "--store", store, "--by-cluster", "--out", json]);
        Assert.Equal(DigitGanCli.Failure, code);
        Assert.Contains("latentClusters 0", error, StringComparison.Ordinal);
        (code, error) = await RunAsync(["sample", "--checkpoint", normal, "--cluster", "0", "--out", png]);
        Assert.Equal(DigitGanCli.Failure, code);
        Assert.Contains("clustered latent prior", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fp32_run_forks_into_bf16_and_each_records_its_precision()
    {
        var store = fixture.Store.Root;
        var (code, error) = await RunAsync(["train", "--store", store, "--epochs", "1", "--train-subset", "128", "--batch-size", "64", "--seed", "4", "--name", "fp32-parent", "--eval-every", "0"]);
        Assert.True(code == 0, error);
        var parent = await FindRunAsync("fp32-parent");
        Assert.Equal((RunStatus.Succeeded, Precision.Fp32, "fp32"), (parent.Status, parent.Spec.Precision, parent.Precision));

        (code, error) = await RunAsync(["train", "--store", store, "--epochs", "2", "--train-subset", "128", "--batch-size", "64", "--seed", "4", "--name", "bf16-fork",
            "--eval-every", "0", "--precision", "bf16", "--parent", $"{parent.RunId}:1"]);
        Assert.True(code == 0, error);
        var fork = await FindRunAsync("bf16-fork");
        Assert.Equal((RunStatus.Succeeded, Precision.Bf16, "bf16", 2), (fork.Status, fork.Spec.Precision, fork.Precision, fork.Progress.Epoch));
    }

    [Fact]
    public async Task Bench_prints_and_writes_its_figures()
    {
        var json = Path.Combine(fixture.Root, "bench.json");
        var (code, error) = await RunAsync(["bench", "--step", "shared", "--warmup", "1", "--steps", "2", "--batch-size", "16", "--out", json]);
        Assert.True(code == 0, error);
        using var report = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var result = report.RootElement.GetProperty("results")[0];
        Assert.Equal("shared", result.GetProperty("step").GetString());
        Assert.True(result.GetProperty("imagesPerSecond").GetDouble() > 0);
        Assert.True(result.GetProperty("fractionOfBound").GetDouble() is > 0 and < 1.5);
        Assert.True(report.RootElement.GetProperty("peakGflops").GetDouble() > 0);
        Assert.True(report.RootElement.GetProperty("peakRssBytes").GetInt64() > 0);
        Assert.Equal("fp32", result.GetProperty("precision").GetString());
        Assert.Equal("steps", result.GetProperty("window").GetString());
        var oneDnn = report.RootElement.GetProperty("oneDnn"); // from the probe process run with ONEDNN_VERBOSE=1
        Assert.True(oneDnn.GetProperty("error").ValueKind == System.Text.Json.JsonValueKind.Null, oneDnn.GetRawText());
        Assert.False(string.IsNullOrEmpty(oneDnn.GetProperty("isa").GetString()));
        Assert.Contains("convolution", oneDnn.GetProperty("kernels").GetProperty("fp32")[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "libtorch-cpu-linux-x64", "TorchSharp-cuda-linux")]
    [InlineData("cuda", "TorchSharp-cuda-linux", "libtorch-cpu-linux-x64")]
    public void The_torch_backend_property_selects_the_packages(string? backend, string expected, string absent)
    {
        var arguments = $"msbuild src/Jobs/DigitGan.Jobs.csproj -getItem:PackageReference -nologo" + (backend is null ? string.Empty : $" -p:TorchBackend={backend}");
        var output = RunDotnet(arguments, out var exitCode);
        Assert.True(exitCode == 0, output);
        Assert.Contains($"\"Identity\": \"{expected}\"", output, StringComparison.Ordinal);
        Assert.DoesNotContain($"\"Identity\": \"{absent}\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_torch_backend_fails_the_build_with_a_clear_error()
    {
        var output = RunDotnet("msbuild src/Jobs/DigitGan.Jobs.csproj -t:DigitGanValidateTorchBackend -p:TorchBackend=rocm -nologo", out var exitCode);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("Unsupported TorchBackend 'rocm'", output, StringComparison.Ordinal);
    }

    private static Task<(int Code, string Error)> RunAsync(string[] args) => CliRunner.RunAsync(args);

    private async Task<RunManifest> FindRunAsync(string name)
    {
        await foreach (var info in fixture.Store.ListAsync(RunArtifactLayout.RunsPrefix))
        {
            if (info.Path.EndsWith("/manifest.json", StringComparison.Ordinal)
                && (await fixture.Store.GetJsonAsync<RunManifest>(info.Path))?.Value is { } manifest && manifest.Spec.Name == name)
            {
                return manifest;
            }
        }

        throw new InvalidOperationException($"no run named {name}");
    }

    private static string RunDotnet(string arguments, out int exitCode)
    {
        var start = new ProcessStartInfo("dotnet", arguments) { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        exitCode = process.ExitCode;
        return output.Result + error.Result;
    }
}
