namespace DigitGan.Shared.Runs;

/// <summary>Where a run is in its life: waiting, training, or finished one of three ways.</summary>
public enum RunStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,

    /// <summary>The run's manifest cannot be read; the run can only be deleted (its error says what is wrong).</summary>
    Damaged,
}
