namespace DigitGan.Web;

/// <summary>The "DigitGan:Sweeps" settings of the sweep coordinator.</summary>
public sealed class SweepOptions
{
    /// <summary>Seconds between the coordinator's passes over the active sweeps (submits, rung decisions, stops).</summary>
    public double PollSeconds { get; set; } = 2;

    /// <summary>How long the coordinator's lease lasts without a renewal: another web app takes over this long after its holder was killed.</summary>
    public double LeaseSeconds { get; set; } = 15;

    /// <summary>Off: this web app never drives sweeps (another one does); it still creates, lists and stops them.</summary>
    public bool CoordinatorEnabled { get; set; } = true;
}
