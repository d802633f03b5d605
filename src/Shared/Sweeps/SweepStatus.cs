namespace DigitGan.Shared.Sweeps;

/// <summary>Where a sweep stands.</summary>
public enum SweepStatus
{
    /// <summary>The coordinator submits its runs and stops the ones that fall below a rung's cut.</summary>
    Running,

    /// <summary>Every run ended.</summary>
    Finished,

    /// <summary>Stopped on request: its queued and running runs were cancelled, the rest never submitted.</summary>
    Stopped,

    /// <summary>Its manifest cannot be read; only this sweep is affected.</summary>
    Damaged,
}
