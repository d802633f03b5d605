namespace DigitGan.Shared.Runs;

/// <summary>A health flag that fired (also listed in the manifest).</summary>
public sealed record HealthRecord : MetricsRecord
{
    public required HealthFlag Flag { get; init; }
}
