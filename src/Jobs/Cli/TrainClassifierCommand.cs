using System.CommandLine;
using System.Diagnostics;
using DigitGan.Jobs.Evaluation;
using DigitGan.Jobs.Model;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using DigitGan.Shared.Hosting;

namespace DigitGan.Jobs.Cli;

/// <summary>
/// `train-classifier`: trains the MNIST digit classifier that quality metrics use, deterministically, and stores it
/// beside the dataset (and in the setup cache, so that other stores can import it). With a classifier already in
/// the cache or the store it only verifies and copies it, unless --force.
/// </summary>
public static class TrainClassifierCommand
{
    public const double RequiredAccuracy = 0.992;

    public static Command Create()
    {
        var epochs = DigitGanCli.Option("--epochs", "Training epochs over the 60,000 digits.", ClassifierTraining.DefaultEpochs);
        epochs.Positive(100);
        var seed = DigitGanCli.Option("--seed", "Seed of the classifier's random streams.", ClassifierTraining.DefaultSeed);
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch (default: all cores)." };
        threads.Positive(1024);
        var force = new Option<bool>("--force") { Description = "Train a new classifier even if one exists." };
        var store = DigitGanCli.StoreOption();
        var command = new Command("train-classifier", "Train the MNIST classifier behind the quality metrics (FID, IS, class coverage) and store it in datasets/mnist/classifier/.")
        {
            epochs, seed, threads, force, store,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var artifacts = DigitGanCli.OpenStore(parse.GetValue(store));
            await MnistDataset.EnsureImportedAsync(artifacts, DataPaths.MnistCache, cancellationToken).ConfigureAwait(false);
            if (!parse.GetValue(force))
            {
                if (await ClassifierFiles.ImportAsync(artifacts, DataPaths.ClassifierCache, cancellationToken).ConfigureAwait(false))
                {
                    var imported = (await ClassifierFiles.ReadAsync(artifacts, cancellationToken).ConfigureAwait(false))!.Value.Manifest;
                    Console.WriteLine($"Classifier verified and imported from {DataPaths.ClassifierCache}: test accuracy {imported.TestAccuracy:P2}, FID floor {imported.FidFloor:0.00}.");
                    return 0;
                }

                if (await ClassifierFiles.ExportAsync(artifacts, DataPaths.ClassifierCache, cancellationToken).ConfigureAwait(false))
                {
                    Console.WriteLine($"Classifier already in {artifacts.Description}; copied to {DataPaths.ClassifierCache}.");
                    return 0;
                }
            }

            var device = TorchRuntime.SelectDevice();
            var threadCount = TorchRuntime.ConfigureThreads(parse.GetValue(threads));
            var manifest = await TrainAsync(artifacts, parse.GetValue(epochs), parse.GetValue(seed), device, threadCount, Console.WriteLine, cancellationToken).ConfigureAwait(false);
            await ClassifierFiles.ExportAsync(artifacts, DataPaths.ClassifierCache, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"Stored in {artifacts.Description}/{RunArtifactLayout.ClassifierPrefix} and {DataPaths.ClassifierCache} (sha256 {manifest.Sha256}).");
            return 0;
        });
        return command;
    }

    /// <summary>Trains, checks the accuracy, measures the real-vs-real FID floor and stores the classifier.</summary>
    public static async Task<ClassifierManifest> TrainAsync(IArtifactStore store, int epochs, long seed, TorchSharp.torch.Device device, int threads, Action<string> log, CancellationToken cancellationToken)
    {
        var train = await MnistDataset.LoadAsync(store, train: true, cancellationToken).ConfigureAwait(false);
        var test = await MnistDataset.LoadAsync(store, train: false, cancellationToken).ConfigureAwait(false);
        log($"Training the digit classifier: {epochs} epochs, seed {seed}, {device.type}, {threads} threads ...");
        var clock = Stopwatch.StartNew();
        using var model = ClassifierTraining.Train(train, epochs, seed, device, (epoch, loss, seconds) =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            log($"  epoch {epoch}/{epochs}: loss {loss:0.0000}, {seconds:0.0} s");
        });
        var trainingSeconds = clock.Elapsed.TotalSeconds;
        var accuracy = ClassifierTraining.Accuracy(model, test, device);
        log($"Test accuracy {accuracy:P2} on {test.Labels.Length:N0} digits, trained in {trainingSeconds:0} s.");
        if (accuracy < RequiredAccuracy)
        {
            throw new InvalidDataException($"The classifier reached only {accuracy:P2} test accuracy (at least {RequiredAccuracy:P1} is needed for meaningful quality metrics); it was not stored. Try more --epochs.");
        }

        const int floorSamples = 10_000;
        var draft = new ClassifierManifest
        {
            Architecture = ClassifierFiles.Architecture,
            FeatureDim = DigitClassifier.FeatureDim,
            Sha256 = "",
            Length = 0,
            TestAccuracy = accuracy,
            FidFloor = 0,
            FidFloorSamples = 0,
            Epochs = epochs,
            Seed = seed,
            Threads = threads,
            TrainingSeconds = trainingSeconds,
            CodeVersion = CodeVersion.Current,
            TrainedAt = DateTimeOffset.UtcNow,
        };
        var evaluator = QualityEvaluator.Create(model, draft, test, train.Images, device);
        var floor = evaluator.FidFloor(floorSamples);
        log($"Real-vs-real FID floor ({floorSamples:N0} training digits vs the {test.Labels.Length:N0} test digits): {floor:0.000}.");
        var manifest = draft with { FidFloor = floor, FidFloorSamples = floorSamples };
        await ClassifierFiles.SaveAsync(store, ClassifierStore.Serialize(model), manifest, cancellationToken).ConfigureAwait(false);
        return (await ClassifierFiles.ReadAsync(store, cancellationToken).ConfigureAwait(false))!.Value.Manifest;
    }
}
