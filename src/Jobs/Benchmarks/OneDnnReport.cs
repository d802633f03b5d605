namespace DigitGan.Jobs.Benchmarks;

/// <summary>
/// What oneDNN reported (ONEDNN_VERBOSE=1) while a probe process ran the model's convolutions in each precision:
/// the instruction set it dispatched to and the kernels it chose, e.g. "brg_conv_fwd:avx512_core_bf16".
/// </summary>
public sealed record OneDnnReport
{
    /// <summary>oneDNN's "isa:" line, e.g. "Intel AVX-512 with Intel DL Boost and bfloat16 support"; null when it printed none.</summary>
    public string? Isa { get; init; }

    public string? Version { get; init; }

    /// <summary>Per precision, the distinct convolution and matmul kernels oneDNN ran.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Kernels { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Why the probe gave nothing (no oneDNN on this device, or the probe failed); null when it worked.</summary>
    public string? Error { get; init; }
}
