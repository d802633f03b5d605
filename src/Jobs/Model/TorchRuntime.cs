using TorchSharp;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Model;

/// <summary>Chooses the device and thread count at run time, once per process.</summary>
public static class TorchRuntime
{
    /// <summary>CUDA when a GPU is usable (the cuda build on a GPU node), else the CPU; "cpu"/"cuda" force one.</summary>
    public static Device SelectDevice(string? requested = null)
    {
        var cudaAvailable = cuda.is_available();
        return requested?.ToLowerInvariant() switch
        {
            null or "" or "auto" => cudaAvailable ? CUDA : CPU,
            "cpu" => CPU,
            "cuda" when cudaAvailable => CUDA,
            "cuda" => throw new ArgumentException("CUDA was requested but no usable GPU was found; this build uses the CPU libtorch unless built with -p:TorchBackend=cuda."),
            _ => throw new ArgumentException($"Unknown device '{requested}'; use auto, cpu or cuda."),
        };
    }

    /// <summary>Sets libtorch's intra-op threads (default: all cores) and returns the number in effect.</summary>
    public static int ConfigureThreads(int? threads)
    {
        var count = threads ?? Environment.ProcessorCount;
        if (count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(threads), count, "Threads must be at least 1.");
        }

        torch.set_num_threads(count);
        return torch.get_num_threads();
    }
}
