namespace DigitGan.Shared.Runs;

/// <summary>Losses of one training step; D(real) and D(fake) are mean sigmoid outputs of the discriminator.</summary>
public sealed record StepMetrics : MetricsRecord
{
    public int Step { get; init; }
    public long GlobalStep { get; init; }
    public double DLoss { get; init; }
    public double GLoss { get; init; }
    public double DReal { get; init; }
    public double DFake { get; init; }
}
