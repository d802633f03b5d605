namespace DigitGan.Shared.Sweeps;

/// <summary>Where one trial of a sweep stands.</summary>
public enum SweepTrialState
{
    /// <summary>Not submitted yet.</summary>
    Pending,

    /// <summary>Its run is in the queue or training.</summary>
    Submitted,

    /// <summary>Stopped early by successive halving at <see cref="SweepTrial.StoppedAtEpoch"/>.</summary>
    Stopped,

    /// <summary>Its run ended (succeeded, failed, cancelled, or was deleted).</summary>
    Ended,

    /// <summary>Never submitted: the sweep was stopped first.</summary>
    Skipped,
}
