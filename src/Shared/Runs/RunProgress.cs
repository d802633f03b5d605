namespace DigitGan.Shared.Runs;

/// <summary>Live progress of a run, rewritten after every epoch.</summary>
public sealed record RunProgress
{
    public int Epoch { get; init; }
    public int TotalEpochs { get; init; }
    public int Step { get; init; }
    public int StepsPerEpoch { get; init; }
    public double ImagesPerSecond { get; init; }
    public double? EtaSeconds { get; init; }
}
