using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using DigitGan.Shared.Tests.TestSupport;
using Xunit;

namespace DigitGan.Shared.Tests.Datasets;

/// <summary>
/// Works on the real MNIST files that scripts/setup.sh downloads into $DIGITGAN_CACHE/mnist (or
/// $XDG_CACHE_HOME/digitgan/mnist, or ~/.cache/digitgan/mnist). Tests are skipped when the files are not there.
/// </summary>
public sealed class MnistDatasetTests : IDisposable
{
    private readonly TempDirectory _temp = new("mnist");
    private readonly FileArtifactStore _store;

    public MnistDatasetTests() => _store = new FileArtifactStore(_temp.Combine("store"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    /// <summary>The MNIST cache folder the way scripts/setup.sh picks it.</summary>
    private static string MnistFolder
    {
        get
        {
            var cache = Environment.GetEnvironmentVariable("DIGITGAN_CACHE");
            if (string.IsNullOrEmpty(cache))
            {
                var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
                var baseCache = string.IsNullOrEmpty(xdg)
                    ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
                    : xdg;
                cache = Path.Combine(baseCache, "digitgan");
            }

            return Path.Combine(cache, "mnist");
        }
    }

    private static string RequireMnist()
    {
        var folder = MnistFolder;
        Assert.SkipUnless(
            MnistFiles.Sha256.Keys.All(name => File.Exists(Path.Combine(folder, name))),
            $"The MNIST files are not in {folder}; run scripts/setup.sh.");
        return folder;
    }

    /// <summary>Copies the four real files into a scratch folder that a test may damage.</summary>
    private string CopyMnist()
    {
        var source = RequireMnist();
        var copy = _temp.Combine("copy");
        Directory.CreateDirectory(copy);
        foreach (var name in MnistFiles.Sha256.Keys)
        {
            File.Copy(Path.Combine(source, name), Path.Combine(copy, name));
        }

        return copy;
    }

    [Fact]
    public async Task ImportThenLoad_GivesBothSplits()
    {
        var folder = RequireMnist();

        var manifest = await MnistDataset.ImportAsync(_store, folder, Ct);

        Assert.Equal("mnist", manifest.Name);
        Assert.Equal(MnistFiles.Sha256.Keys.Order(StringComparer.Ordinal), manifest.Files.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, file) in manifest.Files)
        {
            Assert.Equal(MnistFiles.Sha256[name], file.Sha256);
            Assert.Equal(new FileInfo(Path.Combine(folder, name)).Length, file.Length);
            Assert.Equal(file.Length, (await _store.GetInfoAsync(RunArtifactLayout.MnistFile(name), Ct))!.Length);
        }

        Assert.True(await MnistDataset.IsImportedAsync(_store, Ct));

        var train = await MnistDataset.LoadAsync(_store, train: true, Ct);
        Assert.Equal(60_000, train.Images.Count);
        Assert.Equal(60_000, train.Labels.Length);
        Assert.Equal(28, train.Images.Rows);
        Assert.Equal(28, train.Images.Columns);
        Assert.Equal(60_000 * 784, train.Images.Pixels.Length);
        Assert.Contains(train.Images.Pixels, p => p == 255);
        Assert.Equal(5, train.Labels[0]); // the first MNIST training digit is the famous 5

        var test = await MnistDataset.LoadAsync(_store, train: false, Ct);
        Assert.Equal(10_000, test.Images.Count);
        Assert.Equal(10_000, test.Labels.Length);
        Assert.Equal(10_000 * 784, test.Images.Pixels.Length);
        Assert.Equal(7, test.Labels[0]); // and the first test digit a 7
    }

    [Fact]
    public async Task TrainLabels_CoverAllTenClasses()
    {
        await MnistDataset.ImportAsync(_store, RequireMnist(), Ct);

        var train = await MnistDataset.LoadAsync(_store, train: true, Ct);

        var histogram = new int[10];
        foreach (var label in train.Labels)
        {
            histogram[label]++;
        }

        Assert.Equal(60_000, histogram.Sum());
        Assert.All(histogram, count => Assert.InRange(count, 5_000, 7_000)); // MNIST classes are 5,421..6,742 each
        Assert.Equal(5_923, histogram[0]);
        Assert.Equal(6_742, histogram[1]);
    }

    [Theory]
    [InlineData(MnistFiles.TrainImages, 100_000)]
    [InlineData(MnistFiles.TestLabels, 4_000)]
    [InlineData(MnistFiles.TestImages, 2)] // inside the header
    public async Task ImportAsync_WithCorruptedFile_ThrowsMentioningShaAndFile_AndWritesNoManifest(string name, int offset)
    {
        var folder = CopyMnist();
        var path = Path.Combine(folder, name);
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        bytes[offset] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes, Ct);

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => MnistDataset.ImportAsync(_store, folder, Ct));

        Assert.Contains("SHA-256", ex.Message, StringComparison.Ordinal);
        Assert.Contains(name, ex.Message, StringComparison.Ordinal);
        Assert.Contains(MnistFiles.Sha256[name], ex.Message, StringComparison.Ordinal);
        Assert.False(await _store.ExistsAsync(RunArtifactLayout.MnistManifest, Ct));
        Assert.False(await MnistDataset.IsImportedAsync(_store, Ct));
        Assert.False(await _store.ExistsAsync(RunArtifactLayout.MnistFile(name), Ct));
        await Assert.ThrowsAsync<FileNotFoundException>(() => MnistDataset.LoadAsync(_store, train: true, Ct));
    }

    [Fact]
    public async Task ImportAsync_WithMissingFile_ThrowsFileNotFoundMentioningSetup()
    {
        var folder = CopyMnist();
        File.Delete(Path.Combine(folder, MnistFiles.TestLabels));

        var ex = await Assert.ThrowsAsync<FileNotFoundException>(() => MnistDataset.ImportAsync(_store, folder, Ct));

        Assert.Contains(MnistFiles.TestLabels, ex.Message, StringComparison.Ordinal);
        Assert.Contains("setup", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(Path.Combine(folder, MnistFiles.TestLabels), ex.FileName);
        Assert.False(await MnistDataset.IsImportedAsync(_store, Ct));
    }

    [Fact]
    public async Task ImportAsync_FromMissingFolder_ThrowsFileNotFoundMentioningSetup()
    {
        var ex = await Assert.ThrowsAsync<FileNotFoundException>(
            () => MnistDataset.ImportAsync(_store, _temp.Combine("no-such-folder"), Ct));

        Assert.Contains("setup.sh", ex.Message, StringComparison.Ordinal);
        Assert.False(await MnistDataset.IsImportedAsync(_store, Ct));
    }

    [Fact]
    public async Task LoadAsync_AfterStoredBlobWasAltered_ThrowsMentioningSha()
    {
        await MnistDataset.ImportAsync(_store, RequireMnist(), Ct);
        var blob = RunArtifactLayout.MnistFile(MnistFiles.TrainImages);
        var reader = await _store.OpenReadAsync(blob, Ct);
        byte[] bytes;
        await using (reader!)
        {
            using var copy = new MemoryStream();
            await reader!.Content.CopyToAsync(copy, Ct);
            bytes = copy.ToArray();
        }

        bytes[^1] ^= 0x80; // a valid IDX file still, just one pixel different
        await _store.PutBytesAsync(blob, bytes, cancellationToken: Ct);

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => MnistDataset.LoadAsync(_store, train: true, Ct));
        Assert.Contains("SHA-256", ex.Message, StringComparison.Ordinal);
        Assert.Contains(MnistFiles.TrainImages, ex.Message, StringComparison.Ordinal);

        // The test split is untouched and still loads.
        Assert.Equal(10_000, (await MnistDataset.LoadAsync(_store, train: false, Ct)).Images.Count);
    }

    [Fact]
    public async Task LoadAsync_WhenManifestPresentButBlobMissing_ThrowsFileNotFound()
    {
        await MnistDataset.ImportAsync(_store, RequireMnist(), Ct);
        Assert.True(await _store.DeleteAsync(RunArtifactLayout.MnistFile(MnistFiles.TestLabels), Ct));

        var ex = await Assert.ThrowsAsync<FileNotFoundException>(() => MnistDataset.LoadAsync(_store, train: false, Ct));
        Assert.Contains(MnistFiles.TestLabels, ex.Message, StringComparison.Ordinal);
        Assert.Contains("setup.sh", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_OnEmptyStore_ThrowsFileNotFoundMentioningSetupScript()
    {
        var ex = await Assert.ThrowsAsync<FileNotFoundException>(() => MnistDataset.LoadAsync(_store, train: true, Ct));

        Assert.Contains("setup.sh", ex.Message, StringComparison.Ordinal);
        Assert.Contains(RunArtifactLayout.MnistManifest, ex.Message, StringComparison.Ordinal);
        Assert.False(await MnistDataset.IsImportedAsync(_store, Ct));
    }
}
