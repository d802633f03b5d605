using DigitGan.Jobs.Model;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Imaging;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Evaluation;

/// <summary>What `evaluate` needs besides a checkpoint: the store's evaluator, and the scores of a folder of PNG digits.</summary>
public static class EvaluationReports
{
    /// <summary>The evaluator over the store's classifier; a store without one is an error that says how to get it.</summary>
    public static async Task<QualityEvaluator> LoadEvaluatorAsync(IArtifactStore store, Device device, CancellationToken cancellationToken) =>
        await QualityEvaluator.LoadAsync(store, device, cancellationToken).ConfigureAwait(false)
            ?? throw new FileNotFoundException($"No digit classifier in the store at {store.Description} or in {DataPaths.ClassifierCache}. {ClassifierFiles.EnableHint}");

    /// <summary>Scores every *.png of <paramref name="folder"/>, each a single 28x28 grayscale digit, white on black like MNIST.</summary>
    public static async Task<EvaluationReport> ScoreFolderAsync(QualityEvaluator evaluator, string folder, CancellationToken cancellationToken)
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
