using System.Diagnostics;

namespace DigitGan.Jobs.Tests.Faults;

/// <summary>
/// A small tmpfs of its own (mount needs root, or CAP_SYS_ADMIN), whose free space the test can use up at a chosen
/// moment: a real "No space left on device" from the kernel. <see cref="TryCreate"/> returns null where the machine
/// does not allow the mount; the test then limits the write at the store boundary instead.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private SmallDisk(string path) => Path = path;

    public string Path { get; }

    private string Filler => System.IO.Path.Combine(Path, "filler");

    public static SmallDisk? TryCreate(int megabytes)
    {
        var path = Directory.CreateTempSubdirectory("digitgan-small-disk-").FullName;
        if (Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", path) == 0)
        {
            return new SmallDisk(path);
        }

        Directory.Delete(path);
        return null;
    }

    /// <summary>Writes a file that takes all but <paramref name="leave"/> bytes of the free space.</summary>
    public void FillLeaving(long leave)
    {
        var size = new DriveInfo(Path).AvailableFreeSpace - leave;
        var chunk = new byte[1 << 20];
        using var file = new FileStream(Filler, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        for (long written = 0; written < size; written += chunk.Length)
        {
            file.Write(chunk, 0, (int)Math.Min(chunk.Length, size - written));
        }
    }

    /// <summary>Gives the space back.</summary>
    public void Free() => File.Delete(Filler);

    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    public void Dispose()
    {
        Run("umount", "-l", Path);
        Directory.Delete(Path, recursive: true);
    }

    private static int Run(string file, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
