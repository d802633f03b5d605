using System.Diagnostics;
using DigitGan.Jobs.Model;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using DigitGan.Shared.Hosting;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Evaluation;

/// <summary>Puts the quality metrics' digit classifier in a store and the setup cache: copies a verified one, else trains one.</summary>
public static class ClassifierSetup
{
    public const double RequiredAccuracy = 0.992;

    /// <param name="threads">CPU threads for libtorch while training (null: all cores).</param>
    /// <param name="force">Train a new classifier even if one exists.</param>
    public static async Task EnsureAsync(IArtifactStore store, int epochs, long seed, int? threads, bool force, Action<string> log, CancellationToken cancellationToken)
    {
        await MnistDataset.EnsureImportedAsync(store, DataPaths.MnistCache, cancellationToken).ConfigureAwait(false);
        if (!force && await CachedRecipeAsync(cancellationToken).ConfigureAwait(false) is { } cached && cached != ClassifierTraining.Recipe)
        {
            log($"The classifier in {DataPaths.ClassifierCache} was trained with an older recipe ({cached}); training one with the current recipe ({ClassifierTraining.Recipe}).");
            force = true;
        }

        if (!force)
        {
            if (await ClassifierFiles.ImportAsync(store, DataPaths.ClassifierCache, cancellationToken).ConfigureAwait(false))
            {
                var imported = (await ClassifierFiles.ReadAsync(store, cancellationToken).ConfigureAwait(false))!.Value.Manifest;
                log($"Classifier verified and imported from {DataPaths.ClassifierCache}: test accuracy {imported.TestAccuracy:P2}, FID floor {imported.FidFloor:0.00}.");
                return;
            }

            if (await ClassifierFiles.ExportAsync(store, DataPaths.ClassifierCache, cancellationToken).ConfigureAwait(false))
            {
                log($"Classifier already in {store.Description}; copied to {DataPaths.ClassifierCache}.");
                return;
            }
        }

        var device = TorchRuntime.SelectDevice();
        var threadCount = TorchRuntime.ConfigureThreads(threads);
        var manifest = await TrainAsync(store, epochs, seed, device, threadCount, log, cancellationToken).ConfigureAwait(false);
        await ClassifierFiles.ExportAsync(store, DataPaths.ClassifierCache, cancellationToken).ConfigureAwait(false);
        log($"Stored in {store.Description}/{RunArtifactLayout.ClassifierPrefix} and {DataPaths.ClassifierCache} (sha256 {manifest.Sha256}).");
    }

    /// <summary>The recipe of the classifier in the setup cache ("shifts only" for the first recipe); null when the cache has none.</summary>
    private static async Task<string?> CachedRecipeAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(DataPaths.ClassifierCache, ClassifierFiles.ManifestFile);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var manifest = System.Text.Json.JsonSerializer.Deserialize<ClassifierManifest>(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false), ArtifactJson.Options);
            return manifest?.Recipe ?? "shifts only";
        }
        catch (System.Text.Json.JsonException)
        {
            return null; // the import reports a damaged manifest with its fix
        }
    }

    /// <summary>Trains, checks the accuracy, measures the real-vs-real FID floor and stores the classifier.</summary>
    private static async Task<ClassifierManifest> TrainAsync(IArtifactStore store, int epochs, long seed, Device device, int threads, Action<string> log, CancellationToken cancellationToken)
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
            Recipe = ClassifierTraining.Recipe,
            Epochs = epochs,
            Seed = seed,
            Threads = threads,
            TrainingSeconds = trainingSeconds,
            CodeVersion = CodeVersion.Current,
            TrainedAt = DateTimeOffset.UtcNow,
        };
        var evaluator = QualityEvaluator.Create(model, draft, test, train.Images, device);
        var floor = evaluator.FidFloor(floorSamples);
        log($"Real-vs-real FID floor ({floorSamples:N0} random training digits vs the {test.Labels.Length:N0} test digits, mean of {QualityEvaluator.FloorDraws} disjoint draws): {floor:0.000}.");
        var manifest = draft with { FidFloor = floor, FidFloorSamples = floorSamples, FidFloorDraws = QualityEvaluator.FloorDrawIndices(floorSamples, train.Images.Count).Count };
        await ClassifierFiles.SaveAsync(store, ClassifierStore.Serialize(model), manifest, cancellationToken).ConfigureAwait(false);
        return (await ClassifierFiles.ReadAsync(store, cancellationToken).ConfigureAwait(false))!.Value.Manifest;
    }
}
