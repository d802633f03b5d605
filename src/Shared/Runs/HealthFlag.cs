namespace DigitGan.Shared.Runs;

/// <summary>One firing of a health flag: what, where (epoch, and the step for per-step flags) and the figures behind it.</summary>
public sealed record HealthFlag
{
    public required HealthFlagKind Kind { get; init; }
    public required int Epoch { get; init; }
    public long? GlobalStep { get; init; }
    public required string Detail { get; init; }
}
