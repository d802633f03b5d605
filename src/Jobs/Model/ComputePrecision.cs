using DigitGan.Shared.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Model;

/// <summary>
/// Turns a spec's <see cref="Precision"/> into the number format the networks compute their products in.
/// <see cref="Precision.Auto"/> takes bfloat16 where the hardware computes it natively: CPUs whose /proc/cpuinfo
/// flags include amx_bf16 (Intel AMX) or avx512_bf16 (Intel Cooper Lake and later, AMD Zen 4 and later), and CUDA
/// devices; float32 elsewhere, where libtorch would emulate bfloat16 more slowly than float32.
/// </summary>
public static class ComputePrecision
{
    /// <summary>The CPU flags that mean native bfloat16 dot products.</summary>
    public static readonly IReadOnlyList<string> Bf16CpuFlags = ["amx_bf16", "avx512_bf16"];

    /// <summary>The format for <paramref name="requested"/> on <paramref name="device"/>; <paramref name="cpuInfo"/> reads /proc/cpuinfo (injectable for tests).</summary>
    public static ScalarType Resolve(Precision requested, Device device, Func<string?>? cpuInfo = null) => requested switch
    {
        Precision.Fp32 => ScalarType.Float32,
        Precision.Bf16 => ScalarType.BFloat16,
        Precision.Auto => HasNativeBf16(device, cpuInfo ?? ReadCpuInfo) ? ScalarType.BFloat16 : ScalarType.Float32,
        _ => throw new ArgumentOutOfRangeException(nameof(requested), requested, "Unknown precision."),
    };

    /// <summary>Whether the device computes bfloat16 natively (CUDA: assumed, compute capability 8.0 or newer).</summary>
    public static bool HasNativeBf16(Device device, Func<string?> cpuInfo)
        => device.type == DeviceType.CUDA || CpuHasNativeBf16(cpuInfo());

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

    /// <summary>The name a run records: "fp32" or "bf16".</summary>
    public static string Name(ScalarType type) => type switch
    {
        ScalarType.Float32 => "fp32",
        ScalarType.BFloat16 => "bf16",
        _ => type.ToString().ToLowerInvariant(),
    };

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
