using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using DigitGan.Jobs.Cli;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Runs;
using DigitGan.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DigitGan.Web.Tests;

/// <summary>
/// GET /api/runs/{id}/checkpoints/{epoch}/generator.safetensors and the CLI's export verbs: the file is read back
/// here (header, shapes, every value equal to the checkpoint's generator), and Debian's python3-torch loads it into
/// the module of docs/export.md, which then draws the app's 16 fixed-noise digits of that epoch.
/// </summary>
public sealed class GeneratorExportTests(KestrelWebAppFactory factory) : IClassFixture<KestrelWebAppFactory>
{
    private const string Python = "/usr/bin/python3";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IArtifactStore Store => factory.Services.GetRequiredService<IArtifactStore>();

    private async Task<RunManifest> TrainAsync(string name, double generatorEma = 0, int latentClusters = 0, double latentClusterOffset = RunSpec.DefaultLatentClusterOffset)
    {
        using var client = factory.CreateAuthorizedClient();
        var run = await factory.SubmitAsync(client, new { name, epochs = 2, batchSize = 128, trainSubset = 256, evaluateEvery = 0, checkpointEvery = 1, seed = 5, generatorEma, latentClusters, latentClusterOffset });
        await MnistDataset.EnsureImportedAsync(Store, DataPaths.MnistCache, Ct);
        await new TrainingJob(Store, NullLogger<TrainingJob>.Instance).RunAsync(run.RunId, Ct);
        return await WebAppFactory.GetRunAsync(client, run.RunId);
    }

    [Fact]
    public async Task The_export_holds_every_generator_tensor_with_the_checkpoints_values_and_pytorch_draws_the_same_digits()
    {
        var run = await TrainAsync("export");
        using var client = factory.CreateClient();
        using var response = await client.GetAsync($"/api/runs/{run.RunId}/checkpoints/1/generator.safetensors", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith("-epoch-0001-generator.safetensors", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
        var file = await response.Content.ReadAsByteArrayAsync(Ct);

        var (tensors, metadata) = ReadSafeTensors(file);
        Assert.Equal(("1", "100", run.RunId.ToString()), (metadata["epoch"], metadata["noiseDim"], metadata["runId"]));
        Assert.False(metadata.ContainsKey("latentClusters"), "the standard normal prior needs no metadata");

        var checkpoint = (await Store.GetBytesAsync(RunArtifactLayout.Checkpoint(run.RunId, 1), Ct))!;
        var (_, loaded) = Checkpoint.LoadGenerator(checkpoint, "epoch 1");
        using var generator = loaded;
        var state = generator.state_dict();
        Assert.Equal(state.Keys.Order(StringComparer.Ordinal), tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(19, tensors.Count);
        foreach (var (name, tensor) in state)
        {
            var (dtype, shape, data) = tensors[name];
            Assert.Equal(tensor.shape, shape);
            Assert.Equal(tensor.dtype == TorchSharp.torch.ScalarType.Int64 ? "I64" : "F32", dtype);
            Assert.True(tensor.bytes.ToArray().AsSpan().SequenceEqual(data), $"{name}: the exported bytes differ from the checkpoint's");
        }

        Assert.Equal([12544L, 100L], tensors["fc.weight"].Shape);
        Assert.Equal([128L, 64L, 5L, 5L], tensors["ct2.weight"].Shape);
        Assert.Equal([64L], tensors["bn2.running_var"].Shape);
        Assert.Equal(2L, BinaryPrimitives.ReadInt64LittleEndian(tensors["bn0.num_batches_tracked"].Data)); // 256 images, batches of 128
        Assert.NotEqual(new float[64], MemoryMarshalFloats(tensors["bn2.running_mean"].Data));

        // The app's 16 fixed-noise digits of epoch 1, drawn again by the documented PyTorch module from the export.
        using var noise = SampleGrids.FixedNoise(run.Spec);
        var digits = generator.Render(noise);
        var folder = Directory.CreateTempSubdirectory("digitgan-export-").FullName;
        var (generatorFile, noiseFile, digitsFile) = (Path.Combine(folder, "g.safetensors"), Path.Combine(folder, "noise.f32"), Path.Combine(folder, "digits.f32"));
        await File.WriteAllBytesAsync(generatorFile, file, Ct);
        await File.WriteAllBytesAsync(noiseFile, noise.bytes.ToArray(), Ct);
        await File.WriteAllBytesAsync(digitsFile, MemoryMarshalBytes(digits), Ct);
        var (code, output) = await RunAsync(Python, Path.Combine(RepoPaths.Root, "scripts", "check-export.py"), generatorFile, noiseFile, digitsFile, "1e-5");
        Assert.True(code == 0, $"check-export.py exited {code}: {output}");
        Assert.Contains("digits: 16, max abs difference:", output, StringComparison.Ordinal);
        TestContext.Current.TestOutputHelper?.WriteLine(output);

        // A real difference is caught: the same check against the digits of the other epoch fails.
        var (_, epoch2) = Checkpoint.LoadGenerator((await Store.GetBytesAsync(RunArtifactLayout.Checkpoint(run.RunId, 2), Ct))!, "epoch 2");
        using (epoch2)
        {
            await File.WriteAllBytesAsync(digitsFile, MemoryMarshalBytes(epoch2.Render(noise)), Ct);
        }

        (code, output) = await RunAsync(Python, Path.Combine(RepoPaths.Root, "scripts", "check-export.py"), generatorFile, noiseFile, digitsFile, "1e-5");
        Assert.True(code == 1, output);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_run_with_a_generator_average_exports_the_average_it_samples_from_and_names_its_latent_prior()
    {
        var run = await TrainAsync("export-average", generatorEma: 0.9, latentClusters: 10, latentClusterOffset: 6.5);
        using var client = factory.CreateClient();
        var (tensors, metadata) = ReadSafeTensors(await client.GetByteArrayAsync($"/api/runs/{run.RunId}/checkpoints/2/generator.safetensors", Ct));
        Assert.Contains("moving average", metadata["weights"], StringComparison.Ordinal);
        Assert.Equal(("10", "6.5"), (metadata["latentClusters"], metadata["latentClusterOffset"]));

        var checkpoint = (await Store.GetBytesAsync(RunArtifactLayout.Checkpoint(run.RunId, 2), Ct))!;
        var (_, loaded) = Checkpoint.LoadGenerator(checkpoint, "epoch 2"); // the sampling generator: the average
        using var average = loaded;
        foreach (var (name, tensor) in average.state_dict())
        {
            Assert.True(tensor.bytes.ToArray().AsSpan().SequenceEqual(tensors[name].Data), $"{name}: the export is not the average");
        }

        using var trainer = new DcganTrainer(run.Spec, TorchSharp.torch.CPU);
        Checkpoint.Restore(trainer, checkpoint, "epoch 2");
        Assert.False(trainer.Generator.get_parameter("fc.weight")!.bytes.ToArray().AsSpan().SequenceEqual(tensors["fc.weight"].Data), "the trained weights differ from the average");
    }

    [Fact]
    public async Task The_cli_exports_over_the_api_and_from_a_file_with_the_same_bytes()
    {
        var run = await TrainAsync("export-cli");
        var folder = Directory.CreateTempSubdirectory("digitgan-export-cli-").FullName;
        using var output = new StringWriter();
        using var error = new StringWriter();
        var remoteFile = Path.Combine(folder, "remote.safetensors");
        var code = await DigitGanCli.RunAsync(["runs", "export", run.RunId.ToString(), "--checkpoint", "latest", "--out", remoteFile, "--json",
            "--url", factory.Address.ToString(), "--api-key", WebAppFactory.Key], output, error);
        Assert.True(code == 0, error.ToString());
        using (var answer = JsonDocument.Parse(output.ToString()))
        {
            Assert.Equal(remoteFile, answer.RootElement.GetProperty("file").GetString());
        }

        var checkpointFile = Path.Combine(folder, "latest.ckpt");
        await File.WriteAllBytesAsync(checkpointFile, (await Store.GetBytesAsync(RunArtifactLayout.LatestCheckpoint(run.RunId), Ct))!, Ct);
        code = await DigitGanCli.RunAsync(["export", checkpointFile, "--out", Path.Combine(folder, "local.safetensors")], output, error);
        Assert.True(code == 0, error.ToString());
        Assert.Equal(await File.ReadAllBytesAsync(remoteFile, Ct), await File.ReadAllBytesAsync(Path.Combine(folder, "local.safetensors"), Ct));
        Assert.Equal("2", ReadSafeTensors(await File.ReadAllBytesAsync(remoteFile, Ct)).Metadata["epoch"]);

        code = await DigitGanCli.RunAsync(["runs", "export", run.RunId.ToString(), "--checkpoint", "9", "--out", Path.Combine(folder, "none.safetensors"),
            "--url", factory.Address.ToString(), "--api-key", WebAppFactory.Key], output, error);
        Assert.Equal(DigitGanCli.Failure, code);
        Assert.Contains("no checkpoint '9'", error.ToString(), StringComparison.Ordinal);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_missing_checkpoint_is_404_and_a_damaged_one_409_naming_the_problem()
    {
        using var operatorClient = factory.CreateAuthorizedClient();
        var run = await factory.SubmitAsync(operatorClient, new { name = "no-checkpoints", epochs = 3 });
        using var client = factory.CreateClient();
        using var missing = await client.GetAsync($"/api/runs/{run.RunId}/checkpoints/1/generator.safetensors", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("no checkpoint '1'", await missing.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        using var unknown = await client.GetAsync($"/api/runs/{Guid.NewGuid()}/checkpoints/1/generator.safetensors", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        await Store.PutBytesAsync(RunArtifactLayout.Checkpoint(run.RunId, 1), Encoding.ASCII.GetBytes("DIGITGAN-CKPT\n" + new string('x', 100)), cancellationToken: Ct);
        using var damaged = await client.GetAsync($"/api/runs/{run.RunId}/checkpoints/1/generator.safetensors", Ct);
        var text = await damaged.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.Conflict, damaged.StatusCode);
        Assert.Contains("SHA-256", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_docs_show_the_tested_module_word_for_word()
    {
        var module = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "dcgan_generator.py"));
        Assert.Contains("```python\n" + module + "```", File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "export.md")), StringComparison.Ordinal);
        foreach (var name in DigitGan.Shared.Export.GeneratorExport.ParameterNames.Select(n => n.Split('.')[0]).Distinct())
        {
            Assert.Contains($"self.{name} = nn.", module, StringComparison.Ordinal);
        }
    }

    /// <summary>A safetensors file read by the format's rules, independently of the writer: every check the format makes.</summary>
    private static (Dictionary<string, (string DType, long[] Shape, byte[] Data)> Tensors, Dictionary<string, string> Metadata) ReadSafeTensors(byte[] file)
    {
        var length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        Assert.Equal(0, (8 + length) % 8);
        using var header = JsonDocument.Parse(file.AsMemory(8, length));
        var data = file.AsSpan(8 + length);
        var tensors = new Dictionary<string, (string, long[], byte[])>();
        var metadata = new Dictionary<string, string>();
        long expectedBegin = 0;
        foreach (var entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__")
            {
                metadata = entry.Value.EnumerateObject().ToDictionary(m => m.Name, m => m.Value.GetString()!);
                continue;
            }

            var dtype = entry.Value.GetProperty("dtype").GetString()!;
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
            Assert.Equal(expectedBegin, offsets[0]);
            Assert.Equal(shape.Aggregate(1L, (n, s) => n * s) * (dtype == "I64" ? 8 : 4), offsets[1] - offsets[0]);
            tensors[entry.Name] = (dtype, shape, data[(int)offsets[0]..(int)offsets[1]].ToArray());
            expectedBegin = offsets[1];
        }

        Assert.Equal(data.Length, expectedBegin);
        return (tensors, metadata);
    }

    private static float[] MemoryMarshalFloats(byte[] bytes) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    private static byte[] MemoryMarshalBytes(float[] floats) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(floats.AsSpan()).ToArray();

    private static async Task<(int Code, string Output)> RunAsync(string program, params string[] args)
    {
        Assert.True(File.Exists(program), $"{program} is missing: scripts/test-services.sh installs Debian's python3-torch for this test.");
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await stdout + await stderr);
    }
}
