using DigitGan.Build;
using Xunit;

namespace DigitGan.Jobs.Tests.Build;

public sealed class ElfVersionPatcherTests : IDisposable
{
    private const string Version = "GLIBCXX_3.4.32";
    private const string LibraryName = "libLibTorchSharp.so";

    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("digitgan-elf-");

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public void MarkVersionWeak_PatchesCopyOnce_ChangingOnlyTheFlagByte()
    {
        string cache = CachedLibrary();
        string copy = CopyToTemp(cache);
        byte[] original = File.ReadAllBytes(cache);

        Assert.Equal(PatchResult.Patched, ElfVersionPatcher.MarkVersionWeak(copy, Version));
        byte[] patched = File.ReadAllBytes(copy);
        Assert.Equal(PatchResult.AlreadyWeak, ElfVersionPatcher.MarkVersionWeak(copy, Version));

        Assert.Equal(patched, File.ReadAllBytes(copy));
        int index = Assert.Single(DifferingIndices(original, patched));
        Assert.Equal(original[index] | 0x2, patched[index]);
        Assert.Equal(original, File.ReadAllBytes(cache));
    }

    [Fact]
    public void MarkVersionWeak_NonElfFile_Throws()
    {
        string path = Path.Combine(_temp.FullName, "not-elf.so");
        File.WriteAllText(path, "this is not an ELF shared object, just some text\n");

        var ex = Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.MarkVersionWeak(path, Version));
        Assert.Contains("not an ELF", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MarkVersionWeak_TruncatedElf_Throws()
    {
        string path = Path.Combine(_temp.FullName, "truncated.so");
        File.WriteAllBytes(path, File.ReadAllBytes(CachedLibrary())[..64]);

        var ex = Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.MarkVersionWeak(path, Version));
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MarkVersionWeak_UnreferencedVersion_LeavesFileUnchanged()
    {
        string copy = CopyToTemp(CachedLibrary());
        byte[] before = File.ReadAllBytes(copy);
        DateTime mtime = File.GetLastWriteTimeUtc(copy);

        Assert.Equal(PatchResult.NotReferenced, ElfVersionPatcher.MarkVersionWeak(copy, "GLIBCXX_99.9.99"));
        // A prefix of a referenced name is not a match either.
        Assert.Equal(PatchResult.NotReferenced, ElfVersionPatcher.MarkVersionWeak(copy, "GLIBCXX_3.4.3"));

        Assert.Equal(before, File.ReadAllBytes(copy));
        Assert.Equal(mtime, File.GetLastWriteTimeUtc(copy));
    }

    [Fact]
    public void FileProvidesVersion_ReadsVersionDefinitions()
    {
        string? libStdCxx = ElfVersionPatcher.FindSystemLibStdCxx();
        Assert.SkipWhen(libStdCxx is null, "no system libstdc++.so.6 at a known path");

        Assert.True(ElfVersionPatcher.FileProvidesVersion(libStdCxx, "GLIBCXX_3.4"));
        Assert.False(ElfVersionPatcher.FileProvidesVersion(libStdCxx, "GLIBCXX_99.9.99"));
        // libLibTorchSharp.so only *needs* the version; it does not define it.
        Assert.False(ElfVersionPatcher.FileProvidesVersion(CachedLibrary(), Version));
    }

    [Fact]
    public void BuildOutputCopy_IsWeakExactlyWhenSystemLibStdCxxLacksVersion()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the patch target only runs on Linux");
        string cache = CachedLibrary();
        string[] outputs = Directory.GetFiles(AppContext.BaseDirectory, LibraryName, SearchOption.AllDirectories);
        Assert.NotEmpty(outputs);

        string? libStdCxx = ElfVersionPatcher.FindSystemLibStdCxx();
        bool systemProvides = libStdCxx is not null && ElfVersionPatcher.FileProvidesVersion(libStdCxx, Version);
        byte[] original = File.ReadAllBytes(cache);

        foreach (string output in outputs)
        {
            byte[] bytes = File.ReadAllBytes(output);
            if (systemProvides)
            {
                Assert.Equal(original, bytes);
                continue;
            }

            Assert.Single(DifferingIndices(original, bytes));
            Assert.Equal(PatchResult.AlreadyWeak, ElfVersionPatcher.MarkVersionWeak(CopyToTemp(output), Version));
        }
    }

    private string CopyToTemp(string source)
    {
        string destination = Path.Combine(_temp.FullName, Guid.NewGuid().ToString("N") + "-" + LibraryName);
        File.Copy(source, destination);
        return destination;
    }

    private static List<int> DifferingIndices(byte[] expected, byte[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var indices = new List<int>();
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
            {
                indices.Add(i);
            }
        }

        return indices;
    }

    private static string CachedLibrary()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string path = Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", LibraryName);
        Assert.True(File.Exists(path), $"TorchSharp's {LibraryName} not found in the NuGet cache at {path} (run a restore first).");
        return path;
    }
}
