using DigitGan.Jobs.Model;
using DigitGan.Shared.Runs;
using Xunit;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Tests.Model;

/// <summary>How a spec's precision becomes the products' number format; Auto reads the CPU flags.</summary>
public sealed class ComputePrecisionTests
{
    private const string Zen3 = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse sse2 avx avx2 fma\nbugs\t\t: sysret_ss_attrs\n";
    private const string Zen4 = "processor\t: 0\nflags\t\t: fpu avx avx2 fma avx512f avx512_bf16 avx512_vnni\n";
    private const string SapphireRapids = "processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_bf16 amx_bf16 amx_tile amx_int8\n";
    private const string AmxOnly = "processor\t: 0\nflags\t\t: fpu avx2 amx_bf16 amx_tile\n";

    [Theory]
    [InlineData(Zen3, ScalarType.Float32)]
    [InlineData(Zen4, ScalarType.BFloat16)]
    [InlineData(SapphireRapids, ScalarType.BFloat16)]
    [InlineData(AmxOnly, ScalarType.BFloat16)]
    [InlineData("", ScalarType.Float32)]
    [InlineData(null, ScalarType.Float32)]
    public void Auto_picks_bf16_only_where_the_cpu_flags_say_it_is_native(string? cpuInfo, ScalarType expected)
        => Assert.Equal(expected, ComputePrecision.Resolve(Precision.Auto, CPU, () => cpuInfo));

    [Fact]
    public void A_flag_named_like_bf16_in_another_line_does_not_count()
        => Assert.False(ComputePrecision.CpuHasNativeBf16("model name\t: avx512_bf16 lookalike\nflags\t\t: fpu avx2\n"));

    [Theory]
    [InlineData(Precision.Fp32, ScalarType.Float32)]
    [InlineData(Precision.Bf16, ScalarType.BFloat16)]
    public void Explicit_precisions_ignore_the_hardware(Precision requested, ScalarType expected)
    {
        Assert.Equal(expected, ComputePrecision.Resolve(requested, CPU, () => Zen3));
        Assert.Equal(expected, ComputePrecision.Resolve(requested, CPU, () => SapphireRapids));
    }

    [Theory]
    [InlineData(Precision.Auto, "9.0", ScalarType.BFloat16)] // Hopper
    [InlineData(Precision.Auto, "8.0\n8.6\n", ScalarType.BFloat16)] // Ampere; the first line is the device's
    [InlineData(Precision.Auto, "7.5", ScalarType.Float16)] // Turing: fp16 tensor cores only
    [InlineData(Precision.Auto, "6.1", ScalarType.Float32)] // Pascal: no tensor cores
    [InlineData(Precision.Auto, null, ScalarType.BFloat16)] // nvidia-smi unreadable: assumed current
    [InlineData(Precision.Bf16, "7.0", ScalarType.Float16)] // asked for, missing: fp16 with loss scaling
    [InlineData(Precision.Bf16, "6.1", ScalarType.Float16)]
    [InlineData(Precision.Bf16, "8.9", ScalarType.BFloat16)]
    [InlineData(Precision.Fp32, "9.0", ScalarType.Float32)]
    public void On_cuda_the_compute_capability_decides_between_bf16_and_fp16(Precision requested, string? capability, ScalarType expected)
    {
        Assert.Equal(expected, ComputePrecision.Resolve(requested, new Device(TorchSharp.DeviceType.CUDA, 0), () => Zen3, () => capability));
        Assert.Equal(expected == ScalarType.Float16, ComputePrecision.NeedsLossScaling(expected));
    }

    [Fact]
    public void The_tutorial_default_is_fp32_and_runs_record_short_names()
    {
        Assert.Equal(Precision.Fp32, new RunSpec().Precision);
        Assert.Equal(Precision.Fp32, RunPresets.Get("faithful").Precision);
        Assert.Equal("fp32", ComputePrecision.Name(ScalarType.Float32));
        Assert.Equal("bf16", ComputePrecision.Name(ScalarType.BFloat16));
        Assert.Equal("fp16", ComputePrecision.Name(ScalarType.Float16));
    }
}
