namespace DigitGan.Shared.Sweeps;

/// <summary>What successive halving decided for one trial at one rung, and why.</summary>
public sealed record SweepRungResult
{
    public required int Epoch { get; init; }

    /// <summary>The trial's metric at the rung epoch; null when the run has no evaluation of that epoch.</summary>
    public double? Value { get; init; }

    public required bool Continued { get; init; }

    /// <summary>The decision in words: the rank among the runs at the rung, or which cap applied.</summary>
    public string Reason { get; init; } = "";

    public DateTimeOffset DecidedAt { get; init; }
}
