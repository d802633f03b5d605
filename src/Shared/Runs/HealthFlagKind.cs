namespace DigitGan.Shared.Runs;

/// <summary>The health flags a run can raise (docs/metrics.md).</summary>
public enum HealthFlagKind
{
    /// <summary>Mean D(real) above 0.95 and mean D(fake) below 0.05 over 200 consecutive steps: G gets no useful gradient.</summary>
    DiscriminatorWins,

    /// <summary>Fewer than 8 classes hold 5% of the samples, or that count fell by 3 or more since the last evaluation.</summary>
    ModeCollapse,

    /// <summary>A loss or weight became NaN or infinite: the run failed and keeps its last good checkpoint.</summary>
    NonFinite,
}
