namespace DigitGan.Shared.Hosting;

/// <summary>
/// Where the embedded default keeps things: the artifact store under the data folder ($DIGITGAN_DATA, else
/// $XDG_DATA_HOME/digitgan, else ~/.local/share/digitgan) and the verified MNIST download under the cache folder
/// ($DIGITGAN_CACHE, else $XDG_CACHE_HOME/digitgan, else ~/.cache/digitgan), where scripts/setup.sh puts it.
/// </summary>
public static class DataPaths
{
    public static string DataFolder => FromEnvironment("DIGITGAN_DATA", "XDG_DATA_HOME", Path.Combine(".local", "share"));

    public static string DefaultStore => Path.Combine(DataFolder, "store");

    public static string MnistCache => Path.Combine(CacheFolder, "mnist");

    /// <summary>The trained digit classifier (weights.bin + manifest.json), kept by setup so new stores can import it.</summary>
    public static string ClassifierCache => Path.Combine(CacheFolder, "classifier");

    /// <summary>Verified dataset files a worker pulled from blob storage, named by their SHA-256.</summary>
    public static string DatasetCache => Path.Combine(CacheFolder, "datasets");

    private static string CacheFolder => FromEnvironment("DIGITGAN_CACHE", "XDG_CACHE_HOME", ".cache");

    private static string FromEnvironment(string own, string xdg, string homeRelative)
    {
        if (Environment.GetEnvironmentVariable(own) is { Length: > 0 } explicitFolder)
        {
            return Path.GetFullPath(explicitFolder);
        }

        var baseFolder = Environment.GetEnvironmentVariable(xdg) is { Length: > 0 } xdgFolder
            ? xdgFolder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), homeRelative);
        return Path.Combine(baseFolder, "digitgan");
    }
}
