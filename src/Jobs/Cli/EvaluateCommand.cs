using System.CommandLine;
using System.Text.Json;
using DigitGan.Jobs.Evaluation;
using DigitGan.Jobs.Model;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Imaging;
using DigitGan.Shared.Runs;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Cli;

/// <summary>
/// `evaluate`: scores a checkpoint's generator (on the run's fixed evaluation noise, as training does) or a folder
/// of 28x28 grayscale PNG digits with the stored classifier, prints the metrics and writes them as JSON.
/// </summary>
public static class EvaluateCommand
{
    public static Command Create()
    {
        var path = new Argument<string?>("path") { Description = "A checkpoint file (.ckpt) or a folder of 28x28 8-bit grayscale PNG digits.", Arity = ArgumentArity.ZeroOrOne };
        var run = new Option<Guid?>("--run") { Description = "Score a run's checkpoint from the store instead of a file." };
        var epoch = new Option<int?>("--epoch") { Description = "With --run: the numbered checkpoint of this epoch (default: latest)." };
        epoch.Positive();
        var samples = new Option<int?>("--samples") { Description = "Digits to generate from a checkpoint (default: the run's evaluation sample count, 10,000)." };
        samples.Positive(RunSpec.MaxEvaluationSamples);
        var output = new Option<string?>("--out") { Description = "JSON file to write (default: evaluation.json beside the checkpoint, or inside the PNG folder)." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch (default: all cores)." };
        threads.Positive(1024);
        var store = DigitGanCli.StoreOption();
        var command = new Command("evaluate", "Score generated digits (a checkpoint or a PNG folder): classifier-FID with its real-vs-real floor, Inception Score, class coverage.")
        {
            path, run, epoch, samples, output, threads, store,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var artifacts = DigitGanCli.OpenStore(parse.GetValue(store));
            var device = TorchRuntime.SelectDevice();
            TorchRuntime.ConfigureThreads(parse.GetValue(threads));
            await DigitGanCli.EnsureDatasetsAsync(artifacts, cancellationToken).ConfigureAwait(false);
            using var evaluator = await QualityEvaluator.LoadAsync(artifacts, device, cancellationToken).ConfigureAwait(false)
                ?? throw new FileNotFoundException($"No digit classifier in the store at {artifacts.Description} or in {DataPaths.ClassifierCache}. {ClassifierFiles.EnableHint}");

            var target = parse.GetValue(path);
            EvaluationReport report;
            string defaultOutput;
            if (target is not null && Directory.Exists(target))
            {
                report = await ScoreFolderAsync(evaluator, Path.GetFullPath(target), cancellationToken).ConfigureAwait(false);
                defaultOutput = Path.Combine(target, "evaluation.json");
            }
            else
            {
                var file = target is null ? null : new FileInfo(target);
                var (bytes, source) = await SampleCommand.ReadCheckpointAsync(file, parse.GetValue(run), parse.GetValue(epoch), artifacts, cancellationToken).ConfigureAwait(false);
                report = ScoreCheckpoint(evaluator, bytes, source, parse.GetValue(samples));
                defaultOutput = file is not null ? Path.ChangeExtension(file.FullName, ".evaluation.json") : "evaluation.json";
            }

            var m = report.Metrics;
            Console.WriteLine($"{report.Source}: {m.Samples:N0} digits");
            Console.WriteLine($"  FID {m.Fid:F3} (real-vs-real floor at {m.Samples:N0} samples: {m.FidFloor:F3})");
            Console.WriteLine($"  Inception Score {m.InceptionScore:F3}");
            Console.WriteLine($"  classes >= 5%: {m.ClassesAtLeast5Percent}, confidence {m.Confidence:F3}, histogram [{string.Join(", ", m.ClassHistogram)}]");
            var outputPath = Path.GetFullPath(parse.GetValue(output) ?? defaultOutput);
            await File.WriteAllBytesAsync(outputPath, JsonSerializer.SerializeToUtf8Bytes(report, ArtifactJson.Options), cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"Wrote {outputPath}");
            return 0;
        });
        return command;
    }

    private static EvaluationReport ScoreCheckpoint(QualityEvaluator evaluator, byte[] bytes, string source, int? samples)
    {
        var header = Checkpoint.ReadHeader(bytes, source);
        using var init = new TorchSharp.torch.Generator(0);
        using var generator = new DcganGenerator(header.Spec.NoiseDim, init);
        Checkpoint.LoadGenerator(generator, bytes, source);
        using var noise = QualityEvaluator.EvaluationNoise(header.Spec with { EvaluationSamples = samples ?? header.Spec.EvaluationSamples });
        return new EvaluationReport
        {
            Source = source,
            SourceKind = "checkpoint",
            RunId = header.RunId,
            ClassifierSha256 = evaluator.Classifier.Sha256,
            ClassifierTestAccuracy = evaluator.Classifier.TestAccuracy,
            Metrics = evaluator.ScoreGenerator(generator, noise, header.Epoch),
        };
    }

    private static async Task<EvaluationReport> ScoreFolderAsync(QualityEvaluator evaluator, string folder, CancellationToken cancellationToken)
    {
        var files = Directory.GetFiles(folder, "*.png").Order(StringComparer.Ordinal).ToArray();
        if (files.Length < 2)
        {
            throw new InvalidDataException($"{folder} holds {files.Length} PNG file(s); give a folder of at least 2 (better 10,000) 28x28 grayscale digits.");
        }

        var pixels = new byte[files.Length * 28 * 28];
        for (var i = 0; i < files.Length; i++)
        {
            var image = PngDecoder.Decode(await File.ReadAllBytesAsync(files[i], cancellationToken).ConfigureAwait(false), files[i]);
            if (image.Width != 28 || image.Height != 28)
            {
                throw new InvalidDataException($"{files[i]} is {image.Width}x{image.Height}; evaluate scores single 28x28 digits (white on black, like MNIST), not grids.");
            }

            image.Pixels.CopyTo(pixels, i * 28 * 28);
        }

        using var images = ImageTensors.ToTensor(new IdxImages(folder, files.Length, 28, 28, pixels), files.Length, CPU);
        return new EvaluationReport
        {
            Source = folder,
            SourceKind = "png-folder",
            ClassifierSha256 = evaluator.Classifier.Sha256,
            ClassifierTestAccuracy = evaluator.Classifier.TestAccuracy,
            Metrics = evaluator.Score(images),
        };
    }
}
