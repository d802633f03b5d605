using System.Security.Cryptography;
using System.Text;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Evaluation;

/// <summary>
/// Saves the digit classifier beside the dataset (datasets/mnist/classifier/: weights.bin + manifest.json) and loads
/// it back, verifying its SHA-256 and architecture first. Also copies it between a store and a local folder (the
/// setup cache), so a fresh store gets it like it gets MNIST.
/// </summary>
public static class ClassifierStore
{
    public const string Architecture = "digit-cnn-v1";
    public const string WeightsFile = "weights.bin";
    public const string ManifestFile = "manifest.json";

    public const string EnableHint = "Run scripts/setup.sh (it trains the classifier, about 4 minutes on 2 cores), or `DigitGan.Jobs train-classifier`.";

    public static byte[] Serialize(DigitClassifier model)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            model.save(writer);
        }

        return buffer.ToArray();
    }

    public static ClassifierManifest Describe(byte[] weights, ClassifierManifest manifest) =>
        manifest with { Architecture = Architecture, FeatureDim = DigitClassifier.FeatureDim, Sha256 = Convert.ToHexStringLower(SHA256.HashData(weights)), Length = weights.Length };

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

    /// <summary>Loads the stored classifier onto <paramref name="device"/>; null when the store has none.</summary>
    public static async Task<(DigitClassifier Model, ClassifierManifest Manifest)?> LoadAsync(IArtifactStore store, Device device, CancellationToken cancellationToken = default)
    {
        if (await ReadAsync(store, cancellationToken).ConfigureAwait(false) is not { } stored)
        {
            return null;
        }

        using var init = new TorchSharp.torch.Generator(0);
        var model = new DigitClassifier(init);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(stored.Weights, writable: false));
            model.load(reader);
        }
        catch (Exception ex)
        {
            model.Dispose();
            throw new InvalidDataException($"{RunArtifactLayout.ClassifierWeights} could not be loaded ({ex.Message}). {EnableHint}", ex);
        }

        model.to(device);
        model.eval();
        return (model, stored.Manifest);
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
        await File.WriteAllBytesAsync(Path.Combine(folder, ManifestFile), System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(stored.Manifest, ArtifactJson.Options), cancellationToken).ConfigureAwait(false);
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
            manifest = System.Text.Json.JsonSerializer.Deserialize<ClassifierManifest>(await File.ReadAllBytesAsync(manifestPath, cancellationToken).ConfigureAwait(false), ArtifactJson.Options)
                ?? throw new InvalidDataException("empty");
        }
        catch (System.Text.Json.JsonException ex)
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
        if (manifest.Architecture != Architecture || manifest.FeatureDim != DigitClassifier.FeatureDim)
        {
            throw new InvalidDataException($"{source} is a '{manifest.Architecture}' classifier; this version of DigitGan needs '{Architecture}'. {EnableHint}");
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(weights));
        return hash == manifest.Sha256 && weights.Length == manifest.Length
            ? manifest
            : throw new InvalidDataException($"{source}: SHA-256 is {hash} ({weights.Length} bytes), but the classifier manifest says {manifest.Sha256} ({manifest.Length} bytes); the file is corrupt. {EnableHint}");
    }
}
