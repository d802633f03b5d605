using System.CommandLine;
using DigitGan.Jobs.Model;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Imaging;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Cli;

/// <summary>`sample`: renders N digits from a checkpoint's generator as one grid PNG.</summary>
public static class SampleCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<FileInfo?>("--checkpoint") { Description = "A checkpoint file (.ckpt), e.g. one downloaded from a run." };
        var run = new Option<Guid?>("--run") { Description = "Use a run's checkpoint from the store instead of a file." };
        var epoch = new Option<int?>("--epoch") { Description = "With --run: the numbered checkpoint of this epoch (default: latest)." };
        epoch.Positive();
        var store = DigitGanCli.StoreOption();
        var count = DigitGanCli.Option("--count", "How many digits to draw.", 64);
        count.Positive(1024);
        var seed = DigitGanCli.Option("--seed", "Seed of the noise.", 0L);
        var output = DigitGanCli.Option("--out", "PNG file to write.", "samples.png");
        var scale = DigitGanCli.Option("--scale", "Pixel upscaling factor (nearest neighbour).", 4);
        scale.Positive(16);

        var command = new Command("sample", "Draw digits from a checkpoint's generator into a grid PNG.") { checkpoint, run, epoch, store, count, seed, output, scale };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (bytes, source) = await ReadCheckpointAsync(parse.GetValue(checkpoint), parse.GetValue(run), parse.GetValue(epoch), parse.GetValue(store), cancellationToken).ConfigureAwait(false);
            var header = Checkpoint.ReadHeader(bytes, source);
            using var init = new Generator(0);
            using var generator = new DcganGenerator(header.Spec.NoiseDim, init);
            Checkpoint.LoadGenerator(generator, bytes, source);
            generator.eval();

            var n = parse.GetValue(count);
            using var noiseGenerator = new Generator((ulong)parse.GetValue(seed));
            using var noise = randn([n, header.Spec.NoiseDim], generator: noiseGenerator);
            float[] pixels;
            using (no_grad())
            using (var images = generator.forward(noise))
            {
                pixels = images.data<float>().ToArray();
            }

            var cells = Enumerable.Range(0, n).Select(i => GrayImage.FromSignedUnit(pixels.AsSpan(i * 784, 784), 28, 28)).ToList();
            var grid = GrayImage.Grid(cells, (int)Math.Ceiling(Math.Sqrt(n)), parse.GetValue(scale), gap: 2);
            var path = Path.GetFullPath(parse.GetValue(output)!);
            await File.WriteAllBytesAsync(path, PngEncoder.Encode(grid), cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"Wrote {n} digits from {source} (run {header.RunId}, epoch {header.Epoch}) to {path}");
            return 0;
        });
        return command;
    }

    internal static Task<(byte[] Bytes, string Source)> ReadCheckpointAsync(FileInfo? file, Guid? runId, int? epoch, string? storeFolder, CancellationToken cancellationToken)
        => ReadCheckpointAsync(file, runId, epoch, runId is null ? null : DigitGanCli.OpenStore(storeFolder), cancellationToken);

    internal static async Task<(byte[] Bytes, string Source)> ReadCheckpointAsync(FileInfo? file, Guid? runId, int? epoch, IArtifactStore? store, CancellationToken cancellationToken)
    {
        if (file is not null == runId is not null)
        {
            throw new DigitGanCli.UsageException("Give exactly one of --checkpoint FILE or --run RUN_ID.");
        }

        if (file is not null)
        {
            return file.Exists
                ? (await File.ReadAllBytesAsync(file.FullName, cancellationToken).ConfigureAwait(false), file.FullName)
                : throw new FileNotFoundException($"Checkpoint file {file.FullName} does not exist.");
        }

        var path = epoch is { } e ? RunArtifactLayout.Checkpoint(runId!.Value, e) : RunArtifactLayout.LatestCheckpoint(runId!.Value);
        ArgumentNullException.ThrowIfNull(store);
        var bytes = await store.GetBytesAsync(path, cancellationToken).ConfigureAwait(false)
            ?? throw new FileNotFoundException($"{path} is not in the store at {store.Description}; list the run's checkpoints in {store.Description}/{RunArtifactLayout.CheckpointsPrefix(runId!.Value)}.");
        return (bytes, path);
    }
}
