namespace DigitGan.Shared.Sweeps;

/// <summary>sweeps/{id}/manifest.json: the sweep's spec, its trials with their run ids, and their rung decisions.</summary>
public sealed record SweepManifest
{
    public required Guid SweepId { get; init; }
    public required SweepSpec Spec { get; init; }
    public SweepStatus Status { get; init; } = SweepStatus.Running;
    public DateTimeOffset CreatedAt { get; init; }
    public string? CreatedBy { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>When a stop was requested, and by whom; the coordinator cancels what is left and marks the sweep Stopped.</summary>
    public DateTimeOffset? StopRequestedAt { get; init; }
    public string? StoppedBy { get; init; }

    /// <summary>Why the sweep is damaged; null otherwise.</summary>
    public string? Error { get; init; }

    public IReadOnlyList<SweepTrial> Trials { get; init; } = [];

    public bool IsFinished => Status is SweepStatus.Finished or SweepStatus.Stopped or SweepStatus.Damaged;

    /// <summary>The tag every run of the sweep carries.</summary>
    public string Tag => SweepLayout.Tag(SweepId);

    /// <summary>What is listed for a sweep whose manifest cannot be read: its id and why.</summary>
    public static SweepManifest Damaged(Guid sweepId, string reason) => new()
    {
        SweepId = sweepId,
        Spec = new SweepSpec { Name = $"damaged-{sweepId:N}"[..16] },
        Status = SweepStatus.Damaged,
        Error = reason,
    };
}
