using System.Diagnostics;
using System.Globalization;
using DigitGan.Shared.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Model;

/// <summary>
/// Turns a spec's <see cref="Precision"/> into the number format the networks compute their products in.
/// <see cref="Precision.Auto"/> takes bfloat16 where the hardware computes it natively: CPUs whose /proc/cpuinfo
/// flags include amx_bf16 (Intel AMX) or avx512_bf16 (Intel Cooper Lake and later, AMD Zen 4 and later), and CUDA
/// devices of compute capability 8.0 or newer; float32 elsewhere, where libtorch would emulate bfloat16 more slowly
/// than float32. On a CUDA device older than 8.0 (no bfloat16 tensor cores) a bf16 request, and Auto on 7.x (fp16
/// tensor cores), compute in float16 instead, with dynamic loss scaling (<see cref="Training.LossScaler"/>): float16
/// keeps more precision than bfloat16 but only 5 exponent bits, so small gradients would flush to zero unscaled.
/// </summary>
public static class ComputePrecision
{
    /// <summary>The CPU flags that mean native bfloat16 dot products.</summary>
    public static readonly IReadOnlyList<string> Bf16CpuFlags = ["amx_bf16", "avx512_bf16"];

    /// <summary>The CUDA compute capability from which bfloat16 tensor cores exist (Ampere).</summary>
    public const double CudaBf16Capability = 8.0;

    /// <summary>The CUDA compute capability from which float16 tensor cores exist (Volta).</summary>
    public const double CudaFp16Capability = 7.0;

    /// <summary>
    /// The format for <paramref name="requested"/> on <paramref name="device"/>. <paramref name="cpuInfo"/> reads
    /// /proc/cpuinfo and <paramref name="cudaCapability"/> the CUDA device's compute capability, e.g. "8.0" (both
    /// injectable for tests). An unknown capability counts as bfloat16-capable: every GPU the product targets is.
    /// </summary>
    public static ScalarType Resolve(Precision requested, Device device, Func<string?>? cpuInfo = null, Func<string?>? cudaCapability = null)
    {
        if (requested == Precision.Fp32)
        {
            return ScalarType.Float32;
        }

        if (requested is not (Precision.Bf16 or Precision.Auto))
        {
            throw new ArgumentOutOfRangeException(nameof(requested), requested, "Unknown precision.");
        }

        if (device.type == DeviceType.CUDA)
        {
            var capability = ParseCapability((cudaCapability ?? (() => ReadCudaCapability(device)))());
            return capability switch
            {
                null or >= CudaBf16Capability => ScalarType.BFloat16,
                >= CudaFp16Capability => ScalarType.Float16,
                _ => requested == Precision.Bf16 ? ScalarType.Float16 : ScalarType.Float32,
            };
        }

        return requested == Precision.Bf16 || CpuHasNativeBf16((cpuInfo ?? ReadCpuInfo)()) ? ScalarType.BFloat16 : ScalarType.Float32;
    }

    /// <summary>Whether training in <paramref name="computeType"/> needs loss scaling (float16's narrow exponent).</summary>
    public static bool NeedsLossScaling(ScalarType computeType) => computeType == ScalarType.Float16;

    /// <summary>"8.6" as 8.6; null when there is no readable first line.</summary>
    public static double? ParseCapability(string? text)
        => double.TryParse(text?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>True when the first "flags" line of a /proc/cpuinfo text lists amx_bf16 or avx512_bf16.</summary>
    public static bool CpuHasNativeBf16(string? cpuInfo)
    {
        var flags = cpuInfo?.Split('\n').FirstOrDefault(line => line.StartsWith("flags", StringComparison.Ordinal))?.Split(':', 2) is [_, var list]
            ? list.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            : [];
        return flags.Any(flag => Bf16CpuFlags.Contains(flag));
    }

    /// <summary>x in the format of a pass: <paramref name="computeType"/> in training, float32 in inference mode (samples and scores); x itself when it already is.</summary>
    public static Tensor ForPass(Tensor x, ScalarType computeType, bool training)
    {
        var type = training ? computeType : ScalarType.Float32;
        return x.dtype == type ? x : x.to(type);
    }

    /// <summary>The name a run records: "fp32", "bf16" or "fp16".</summary>
    public static string Name(ScalarType type) => type switch
    {
        ScalarType.Float32 => "fp32",
        ScalarType.BFloat16 => "bf16",
        ScalarType.Float16 => "fp16",
        _ => type.ToString().ToLowerInvariant(),
    };

    /// <summary>The device's compute capability from nvidia-smi (e.g. "8.0"); null when nvidia-smi is missing or fails.</summary>
    private static string? ReadCudaCapability(Device device)
    {
        try
        {
            var start = new ProcessStartInfo("nvidia-smi", ["--query-gpu=compute_cap", "--format=csv,noheader", $"--id={Math.Max(device.index, 0)}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync(); // drained, so a chatty failure cannot block the process
            if (!process.WaitForExit(5_000))
            {
                process.Kill();
                return null;
            }

            return process.ExitCode == 0 ? output.GetAwaiter().GetResult() : null;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null;
        }
    }

    private static string? ReadCpuInfo()
    {
        try
        {
            return File.ReadAllText("/proc/cpuinfo");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
