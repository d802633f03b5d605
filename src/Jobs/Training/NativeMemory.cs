using System.Runtime.InteropServices;

namespace DigitGan.Jobs.Training;

/// <summary>
/// Keeps a training process's native memory flat. Measured here: without these, resident memory grew by about
/// 25 MB per training step (4 GB after 130 steps); with them it stays near 0.5-1.3 GB.
/// </summary>
public static class NativeMemory
{
    private const int MallocArenaMax = -8; // M_ARENA_MAX in glibc's malloc.h

    /// <summary>
    /// Caps glibc at two malloc arenas, set once at start-up before libtorch starts its threads: with one arena per
    /// thread, memory freed on one thread is rarely reused by another and the heap keeps growing.
    /// </summary>
    public static void LimitMallocArenas()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            _ = mallopt(MallocArenaMax, 2);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (e.g. musl): nothing to tune.
        }
    }

    /// <summary>
    /// Finalizes tensor wrappers that no dispose scope owns (some are created inside TorchSharp's own calls) so their
    /// native storage is freed every step: the managed heap is tiny, so the GC would otherwise seldom run.
    /// </summary>
    public static void ReleaseUnownedTensors()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    /// <summary>Hands memory that glibc keeps cached after frees back to the OS (malloc_trim), so RSS shows what is in use.</summary>
    public static void ReturnFreedMemoryToOs()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            _ = malloc_trim(0);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: nothing to trim.
        }
    }

    [DllImport("libc")]
    private static extern int mallopt(int param, int value);

    [DllImport("libc")]
    private static extern int malloc_trim(nuint pad);
}
