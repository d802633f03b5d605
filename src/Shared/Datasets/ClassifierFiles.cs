using System.Security.Cryptography;
using System.Text.Json;
using DigitGan.Shared.Artifacts;

namespace DigitGan.Shared.Datasets;

/// <summary>
/// The digit classifier's files beside the dataset (datasets/mnist/classifier/: weights.bin + manifest.json):
/// saved, read back with its SHA-256 and architecture verified, and copied between a store and a local folder (the
/// setup cache), so a fresh store gets it like it gets MNIST. Loading the weights into a network is the trainer's job.
/// </summary>
public static class ClassifierFiles
{
    /// <summary>The network the weights belong to; a manifest naming another one is refused.</summary>
    public const string Architecture = "digit-cnn-v1";

    /// <summary>Width of the feature layer the FID is computed on.</summary>
    public const int FeatureDim = 128;

    public const string WeightsFile = "weights.bin";
    public const string ManifestFile = "manifest.json";

    public const string EnableHint = "Run scripts/setup.sh (it trains the classifier, about 4 minutes on 2 cores), or `DigitGan.Jobs train-classifier`.";

    public static ClassifierManifest Describe(byte[] weights, ClassifierManifest manifest) =>
        manifest with { Architecture = Architecture, FeatureDim = FeatureDim, Sha256 = Convert.ToHexStringLower(SHA256.HashData(weights)), Length = weights.Length };

    /// <summary>Writes the weights, then the manifest (a reader that finds the manifest finds matching weights).</summary>
    public static async Task SaveAsync(IArtifactStore store, byte[] weights, ClassifierManifest manifest, CancellationToken cancellationToken = default)
    {
        await store.PutBytesAsync(RunArtifactLayout.ClassifierWeights, weights, cancellationToken: cancellationToken).ConfigureAwait(false);
        await store.PutJsonAsync(RunArtifactLayout.ClassifierManifest, Describe(weights, manifest), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The stored classifier's manifest and verified weights; null when the store has no classifier.</summary>
    public static async Task<(ClassifierManifest Manifest, byte[] Weights)?> ReadAsync(IArtifactStore store, CancellationToken cancellationToken = default)
    {
        var manifest = await store.GetJsonAsync<ClassifierManifest>(RunArtifactLayout.ClassifierManifest, cancellationToken).ConfigureAwait(false);
        if (manifest is null)
        {
            return null;
        }

        var weights = await store.GetBytesAsync(RunArtifactLayout.ClassifierWeights, cancellationToken).ConfigureAwait(false)
            ?? throw new FileNotFoundException($"{RunArtifactLayout.ClassifierWeights} is missing from the store at {store.Description} although its manifest exists. {EnableHint}");
        return (Verify(manifest.Value.Value, weights, RunArtifactLayout.ClassifierWeights), weights);
    }

    /// <summary>Copies the classifier from a store into a folder (weights.bin + manifest.json).</summary>
    public static async Task<bool> ExportAsync(IArtifactStore store, string folder, CancellationToken cancellationToken = default)
    {
        if (await ReadAsync(store, cancellationToken).ConfigureAwait(false) is not { } stored)
        {
            return false;
        }

        Directory.CreateDirectory(folder);
        await File.WriteAllBytesAsync(Path.Combine(folder, WeightsFile), stored.Weights, cancellationToken).ConfigureAwait(false);
        await File.WriteAllBytesAsync(Path.Combine(folder, ManifestFile), JsonSerializer.SerializeToUtf8Bytes(stored.Manifest, ArtifactJson.Options), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Imports a classifier folder into a store after verifying it; false when the folder holds none.</summary>
    public static async Task<bool> ImportAsync(IArtifactStore store, string folder, CancellationToken cancellationToken = default)
    {
        var manifestPath = Path.Combine(folder, ManifestFile);
        var weightsPath = Path.Combine(folder, WeightsFile);
        if (!File.Exists(manifestPath) || !File.Exists(weightsPath))
        {
            return false;
        }

        ClassifierManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ClassifierManifest>(await File.ReadAllBytesAsync(manifestPath, cancellationToken).ConfigureAwait(false), ArtifactJson.Options)
                ?? throw new InvalidDataException("empty");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{manifestPath} is not a classifier manifest ({ex.Message}). Delete {folder} and run setup again.", ex);
        }

        var weights = await File.ReadAllBytesAsync(weightsPath, cancellationToken).ConfigureAwait(false);
        Verify(manifest, weights, weightsPath);
        await store.PutBytesAsync(RunArtifactLayout.ClassifierWeights, weights, cancellationToken: cancellationToken).ConfigureAwait(false);
        await store.PutJsonAsync(RunArtifactLayout.ClassifierManifest, manifest, cancellationToken: cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static ClassifierManifest Verify(ClassifierManifest manifest, byte[] weights, string source)
    {
        if (manifest.Architecture != Architecture || manifest.FeatureDim != FeatureDim)
        {
            throw new InvalidDataException($"{source} is a '{manifest.Architecture}' classifier; this version of DigitGan needs '{Architecture}'. {EnableHint}");
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(weights));
        return hash == manifest.Sha256 && weights.Length == manifest.Length
            ? manifest
            : throw new InvalidDataException($"{source}: SHA-256 is {hash} ({weights.Length} bytes), but the classifier manifest says {manifest.Sha256} ({manifest.Length} bytes); the file is corrupt. {EnableHint}");
    }

    /// <summary>Imports the classifier from the setup cache into a store that has none (as MNIST is imported); false when neither has one.</summary>
    public static async Task<bool> EnsureImportedAsync(IArtifactStore store, string cacheFolder, CancellationToken cancellationToken = default)
        => await store.ExistsAsync(RunArtifactLayout.ClassifierManifest, cancellationToken).ConfigureAwait(false)
            || await ImportAsync(store, cacheFolder, cancellationToken).ConfigureAwait(false);
}
