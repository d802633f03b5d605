using DigitGan.Jobs.Cli;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;

namespace DigitGan.Jobs.Tests;

/// <summary>A temp folder with an artifact store that holds the real MNIST (from the setup cache).</summary>
public sealed class MnistStoreFixture : IDisposable
{
    public MnistStoreFixture()
    {
        Root = Directory.CreateTempSubdirectory("digitgan-test-").FullName;
        Store = new FileArtifactStore(Path.Combine(Root, "store"));
        if (!File.Exists(Path.Combine(DataPaths.MnistCache, MnistFiles.TrainImages)))
        {
            throw new InvalidOperationException($"MNIST is not in {DataPaths.MnistCache}: run scripts/setup.sh first (scripts/test.sh does).");
        }

        MnistDataset.ImportAsync(Store, DataPaths.MnistCache).GetAwaiter().GetResult();
    }

    public string Root { get; }

    public FileArtifactStore Store { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

public static class RepoPaths
{
    /// <summary>The repository root (the folder holding DigitGan.sln), found from the test binaries.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DigitGan.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("DigitGan.sln not found above " + AppContext.BaseDirectory);
    }
}
