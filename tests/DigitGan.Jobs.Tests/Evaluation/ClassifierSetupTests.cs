using DigitGan.Jobs.Evaluation;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using DigitGan.Shared.Runs;
using Xunit;

namespace DigitGan.Jobs.Tests.Evaluation;

/// <summary>
/// Which classifier a store ends up with: the store's own and the setup cache's are used only when they were trained
/// with the settings asked for. The stores here hold no MNIST and the cache folder has none, so a path that would
/// train fails on the missing digits instead: a test that expects no training would see that exception.
/// </summary>
public sealed class ClassifierSetupTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("digitgan-classifier-setup-").FullName;
    private readonly List<string> _log = [];

    private SetupCache Cache => new(Path.Combine(_root, "cache", "mnist"), Path.Combine(_root, "cache", "classifier"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_store_classifier_of_the_asked_settings_is_kept_and_copied_to_an_empty_cache()
    {
        var store = await StoreWithClassifierAsync("a", ClassifierTraining.DefaultSeed);
        await EnsureAsync(store, ClassifierTraining.DefaultSeed);

        Assert.Contains(_log, line => line.Contains("already in", StringComparison.Ordinal));
        Assert.Equal(ClassifierTraining.DefaultSeed, (await ReadCacheAsync())!.Seed);
    }

    [Fact]
    public async Task A_cache_of_an_older_recipe_is_refreshed_from_a_store_classifier_of_the_default_settings()
    {
        var old = await StoreWithClassifierAsync("old", ClassifierTraining.DefaultSeed, recipe: null);
        await ClassifierFiles.ExportAsync(old, Cache.Classifier);
        var store = await StoreWithClassifierAsync("a", ClassifierTraining.DefaultSeed);

        await EnsureAsync(store, ClassifierTraining.DefaultSeed);

        Assert.Equal(ClassifierTraining.Recipe, (await ReadCacheAsync())!.Recipe);
    }

    [Fact]
    public async Task A_store_classifier_of_other_settings_is_kept_unless_forced()
    {
        var store = await StoreWithClassifierAsync("a", seed: 1);
        var before = (await ClassifierFiles.ReadAsync(store))!.Value.Manifest.Sha256;

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => EnsureAsync(store, ClassifierTraining.DefaultSeed));

        Assert.Contains("seed 1", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--force", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, (await ClassifierFiles.ReadAsync(store))!.Value.Manifest.Sha256);
        Assert.Null(await ReadCacheAsync());
    }

    [Fact]
    public async Task The_cache_is_imported_only_when_it_was_trained_with_the_asked_settings()
    {
        var source = await StoreWithClassifierAsync("source", ClassifierTraining.DefaultSeed);
        await ClassifierFiles.ExportAsync(source, Cache.Classifier);

        var other = new FileArtifactStore(Path.Combine(_root, "other"));
        await Assert.ThrowsAsync<FileNotFoundException>(() => EnsureAsync(other, seed: 1)); // would train: no MNIST here
        Assert.Null(await ClassifierFiles.ReadAsync(other));
        Assert.Contains(_log, line => line.Contains($"seed {ClassifierTraining.DefaultSeed}; training one with", StringComparison.Ordinal));

        var same = new FileArtifactStore(Path.Combine(_root, "same"));
        await EnsureAsync(same, ClassifierTraining.DefaultSeed);
        Assert.Equal((await ClassifierFiles.ReadAsync(source))!.Value.Manifest.Sha256, (await ClassifierFiles.ReadAsync(same))!.Value.Manifest.Sha256);
    }

    [Fact]
    public async Task A_damaged_store_classifier_is_replaced_from_the_cache_not_fatal()
    {
        var source = await StoreWithClassifierAsync("source", ClassifierTraining.DefaultSeed);
        await ClassifierFiles.ExportAsync(source, Cache.Classifier);
        var damaged = await StoreWithClassifierAsync("damaged", ClassifierTraining.DefaultSeed);
        await damaged.PutBytesAsync(RunArtifactLayout.ClassifierWeights, new byte[] { 1, 2, 3 });

        await EnsureAsync(damaged, ClassifierTraining.DefaultSeed);

        Assert.Contains(_log, line => line.Contains("cannot be used and is replaced", StringComparison.Ordinal));
        Assert.NotNull(await ClassifierFiles.ReadAsync(damaged));
    }

    private Task EnsureAsync(IArtifactStore store, long seed)
        => ClassifierSetup.EnsureAsync(store, Cache, ClassifierTraining.DefaultEpochs, seed, threads: 1, force: false, _log.Add, CancellationToken.None);

    private async Task<FileArtifactStore> StoreWithClassifierAsync(string name, long seed, string? recipe = ClassifierTraining.Recipe)
    {
        var store = new FileArtifactStore(Path.Combine(_root, name));
        byte[] weights = [.. Enumerable.Range(0, 64).Select(i => (byte)(i + seed))];
        var manifest = ClassifierFiles.Describe(weights, new ClassifierManifest
        {
            Architecture = ClassifierFiles.Architecture,
            FeatureDim = ClassifierFiles.FeatureDim,
            Sha256 = "",
            Length = 0,
            TestAccuracy = 0.995,
            FidFloor = 0.27,
            FidFloorSamples = 10_000,
            Recipe = recipe,
            Epochs = ClassifierTraining.DefaultEpochs,
            Seed = seed,
        });
        await ClassifierFiles.SaveAsync(store, weights, manifest);
        return store;
    }

    private async Task<ClassifierManifest?> ReadCacheAsync()
    {
        var path = Path.Combine(Cache.Classifier, ClassifierFiles.ManifestFile);
        return File.Exists(path)
            ? System.Text.Json.JsonSerializer.Deserialize<ClassifierManifest>(await File.ReadAllBytesAsync(path), ArtifactJson.Options)
            : null;
    }
}
