using System.Diagnostics;
using DigitGan.Jobs.Model;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using DigitGan.Shared.Hosting;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Evaluation;

/// <summary>The folders where setup keeps the verified MNIST download and the default classifier for new stores.</summary>
public sealed record SetupCache(string Mnist, string Classifier)
{
    public static SetupCache Default => new(DataPaths.MnistCache, DataPaths.ClassifierCache);
}

/// <summary>Puts the quality metrics' digit classifier in a store and the setup cache: copies a verified one, else trains one.</summary>
public static class ClassifierSetup
{
    public const double RequiredAccuracy = 0.992;

    /// <summary>
    /// Makes sure <paramref name="store"/> holds a classifier trained with <paramref name="epochs"/> and
    /// <paramref name="seed"/> under the current recipe: keeps the store's own if it is one, imports the setup cache's if
    /// that is one, else trains one. A store whose classifier was trained otherwise keeps it unless
    /// <paramref name="force"/>: scores by two classifiers differ, so replacing it is a decision, not a side effect.
    /// Only a classifier of the default settings (what setup makes) goes into the setup cache, which new stores import.
    /// </summary>
    /// <param name="cache">The setup cache (<see cref="SetupCache.Default"/>: where scripts/setup.sh keeps MNIST and the classifier).</param>
    /// <param name="threads">CPU threads for libtorch while training (null: all cores).</param>
    /// <param name="force">Train a new classifier even if one exists.</param>
    public static async Task EnsureAsync(IArtifactStore store, SetupCache cache, int epochs, long seed, int? threads, bool force, Action<string> log, CancellationToken cancellationToken)
    {
        var wanted = Settings(ClassifierTraining.Recipe, epochs, seed);
        var isDefault = epochs == ClassifierTraining.DefaultEpochs && seed == ClassifierTraining.DefaultSeed;
        if (!force)
        {
            var cached = await CachedManifestAsync(cache, cancellationToken).ConfigureAwait(false);
            var stored = await StoredManifestAsync(store, log, cancellationToken).ConfigureAwait(false);
            if (stored is not null && (stored.Recipe ?? FirstRecipe) != ClassifierTraining.Recipe)
            {
                log($"The classifier in {store.Description} was trained with an older recipe ({Settings(stored)}); replacing it with one of {wanted}.");
            }
            else if (stored is not null)
            {
                if (Settings(stored) != wanted)
                {
                    throw new ArgumentException($"The classifier in {store.Description} was trained with {Settings(stored)}, not {wanted}, and is kept: scores by two classifiers are not the same measurement. Pass --force to replace it (runs keep the scores they have), or use another --store.");
                }

                // The cache is for the default settings' classifier: fill it, or refresh one of other settings (an older recipe).
                if (isDefault && (cached is null || Settings(cached) != wanted) && await ClassifierFiles.ExportAsync(store, cache.Classifier, cancellationToken).ConfigureAwait(false))
                {
                    log($"Classifier already in {store.Description} ({wanted}); copied to {cache.Classifier}.");
                    return;
                }

                log($"Classifier already in {store.Description} ({wanted}).");
                return;
            }

            if (cached is not null && Settings(cached) == wanted && await ClassifierFiles.ImportAsync(store, cache.Classifier, cancellationToken).ConfigureAwait(false))
            {
                var imported = (await ClassifierFiles.ReadAsync(store, cancellationToken).ConfigureAwait(false))!.Value.Manifest;
                log($"Classifier verified and imported from {cache.Classifier}: test accuracy {imported.TestAccuracy:P2}, FID floor {imported.FidFloor:0.00}.");
                return;
            }

            if (cached is not null)
            {
                log($"The classifier in {cache.Classifier} was trained with {Settings(cached)}; training one with {wanted}.");
            }
        }

        await MnistDataset.EnsureImportedAsync(store, cache.Mnist, cancellationToken).ConfigureAwait(false);
        var device = TorchRuntime.SelectDevice();
        var threadCount = TorchRuntime.ConfigureThreads(threads);
        var manifest = await TrainAsync(store, epochs, seed, device, threadCount, log, cancellationToken).ConfigureAwait(false);
        if (isDefault)
        {
            await ClassifierFiles.ExportAsync(store, cache.Classifier, cancellationToken).ConfigureAwait(false);
            log($"Stored in {store.Description}/{RunArtifactLayout.ClassifierPrefix} and {cache.Classifier} (sha256 {manifest.Sha256}).");
        }
        else
        {
            log($"Stored in {store.Description}/{RunArtifactLayout.ClassifierPrefix} (sha256 {manifest.Sha256}); not in {cache.Classifier}, which keeps the default settings' classifier for new stores.");
        }
    }

    private const string FirstRecipe = "shifts only";

    private static string Settings(string recipe, int epochs, long seed) => $"recipe {recipe}, {epochs} epochs, seed {seed}";

    // A manifest of the first recipe has no recipe field.
    private static string Settings(ClassifierManifest manifest) => Settings(manifest.Recipe ?? FirstRecipe, manifest.Epochs, manifest.Seed);

    /// <summary>The store's classifier manifest; null when it has none, or a damaged one (said in the log; it is replaced).</summary>
    private static async Task<ClassifierManifest?> StoredManifestAsync(IArtifactStore store, Action<string> log, CancellationToken cancellationToken)
    {
        try
        {
            return (await ClassifierFiles.ReadAsync(store, cancellationToken).ConfigureAwait(false))?.Manifest;
        }
        catch (Exception ex) when (ex is InvalidDataException or FileNotFoundException)
        {
            log($"The classifier in {store.Description} cannot be used and is replaced: {ex.Message}");
            return null;
        }
    }

    /// <summary>The setup cache's classifier manifest; null when the cache has none or it cannot be read (then one is trained, and with the default settings it replaces the damaged one).</summary>
    private static async Task<ClassifierManifest?> CachedManifestAsync(SetupCache cache, CancellationToken cancellationToken)
    {
        var path = Path.Combine(cache.Classifier, ClassifierFiles.ManifestFile);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<ClassifierManifest>(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false), ArtifactJson.Options);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
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
