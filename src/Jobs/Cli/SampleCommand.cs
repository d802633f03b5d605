using System.CommandLine;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;

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
        var sampleKeep = DigitGanCli.SampleKeepOption();
        var cluster = new Option<int?>("--cluster") { Description = "Only digits of this cluster of a clustered latent prior (0 to latentClusters - 1; `evaluate --by-cluster` shows which digits each draws)." };

        var command = new Command("sample", "Draw digits from a checkpoint's generator into a grid PNG.") { checkpoint, run, epoch, store, count, seed, output, scale, sampleKeep, cluster };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (bytes, source) = await ReadCheckpointAsync(parse.GetValue(checkpoint), parse.GetValue(run), parse.GetValue(epoch), () => DigitGanCli.OpenStore(parse.GetValue(store)), cancellationToken).ConfigureAwait(false);
            var n = parse.GetValue(count);
            var (header, png) = CheckpointSampler.DrawGrid(bytes, source, n, parse.GetValue(seed), parse.GetValue(scale), parse.GetValue(sampleKeep), parse.GetValue(cluster));
            var path = Path.GetFullPath(parse.GetValue(output)!);
            await File.WriteAllBytesAsync(path, png, cancellationToken).ConfigureAwait(false);
            var of = parse.GetValue(cluster) is { } c ? $" of cluster {c}" : "";
            Console.WriteLine($"Wrote {n} digits{of} from {source} (run {header.RunId}, epoch {header.Epoch}) to {path}");
            return 0;
        });
        return command;
    }

    /// <summary>The checkpoint that --checkpoint FILE or --run RUN_ID [--epoch N] names (exactly one of them); the store is opened only for --run.</summary>
    internal static Task<(byte[] Bytes, string Source)> ReadCheckpointAsync(FileInfo? file, Guid? runId, int? epoch, Func<IArtifactStore> store, CancellationToken cancellationToken)
    {
        if (file is not null == runId is not null)
        {
            throw new DigitGanCli.UsageException("Give exactly one of --checkpoint FILE or --run RUN_ID.");
        }

        return file is not null
            ? Checkpoint.ReadFileAsync(file, cancellationToken)
            : Checkpoint.ReadFromStoreAsync(store(), runId!.Value, epoch, cancellationToken);
    }
}
