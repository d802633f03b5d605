namespace DigitGan.Shared.Runs;

/// <summary>runs/{id}/manifest.json: everything known about a run except its metrics and files.</summary>
public sealed record RunManifest
{
    public required Guid RunId { get; init; }
    public required RunSpec Spec { get; init; }
    public RunStatus Status { get; init; } = RunStatus.Queued;
    public RunProgress Progress { get; init; } = new();
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When a worker's job last picked the run up (before loading data): pickup latency = this - CreatedAt.</summary>
    public DateTimeOffset? PickedUpAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Wall-clock seconds spent training (excluding setup), summed over every attempt.</summary>
    public double TrainingSeconds { get; init; }

    public string? Error { get; init; }
    public string? CodeVersion { get; init; }
    public string? Device { get; init; }
    public int? Threads { get; init; }

    /// <summary>The precision the last attempt trained in (fp32 or bf16): <see cref="RunSpec.Precision"/> with Auto resolved on the worker.</summary>
    public string? Precision { get; init; }

    /// <summary>Wall-clock seconds spent on quality evaluation, apart from <see cref="TrainingSeconds"/>.</summary>
    public double EvaluationSeconds { get; init; }

    /// <summary>The summary of the newest trained epoch; null before the first.</summary>
    public EpochMetrics? LatestEpoch { get; init; }

    /// <summary>The newest quality evaluation; null before the first one or when quality metrics are off.</summary>
    public EvaluationMetrics? LatestEvaluation { get; init; }

    /// <summary>The lowest FID of any evaluation so far (what "sort by best FID" uses); null before the first.</summary>
    public double? BestFid { get; init; }

    /// <summary>Why quality metrics are off for this run (e.g. no classifier in the store); null when they are on.</summary>
    public string? QualityMetricsOff { get; init; }

    /// <summary>Every health flag that fired, in order, with its epoch (and step for per-step flags).</summary>
    public IReadOnlyList<HealthFlag> HealthFlags { get; init; } = [];

    /// <summary>Epoch of the newest checkpoint written (the one a resume starts from), 0 when none.</summary>
    public int LatestCheckpointEpoch { get; init; }

    /// <summary>Each resume that had to skip checkpoints which did not check out: which one it used and why.</summary>
    public IReadOnlyList<string> CheckpointFallbacks { get; init; } = [];

    /// <summary>Epochs that have a numbered checkpoint kept.</summary>
    public IReadOnlyList<int> CheckpointEpochs { get; init; } = [];

    /// <summary>The Hangfire job that trains this run (the newest one when it was enqueued again).</summary>
    public string? JobId { get; init; }

    /// <summary>When a cancel was requested; the worker stops at its next step and marks the run Cancelled.</summary>
    public DateTimeOffset? CancelRequestedAt { get; init; }

    /// <summary>Who submitted the run: a user name, "api-key", or "digitgan" for the app's own first run.</summary>
    public string? CreatedBy { get; init; }

    /// <summary>Who asked to cancel (or delete) the run.</summary>
    public string? CancelledBy { get; init; }

    /// <summary>Why the run was cancelled, when a sweep stopped it (e.g. "stopped by sweep at epoch 3"); it becomes the run's error.</summary>
    public string? CancelReason { get; init; }

    /// <summary>The sweep that submitted the run (docs/sweeps.md); null for a run submitted on its own.</summary>
    public Guid? SweepId { get; init; }

    /// <summary>Nothing more happens to the run: it ended, or its manifest is damaged and only a delete remains.</summary>
    public bool IsFinished => Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled or RunStatus.Damaged;

    /// <summary>What is shown for a run whose manifest cannot be read: its id, when its id says it was created, and why.</summary>
    public static RunManifest Damaged(Guid runId, string reason) => new()
    {
        RunId = runId,
        Spec = new RunSpec { Name = $"damaged-{runId:N}"[..16] },
        Status = RunStatus.Damaged,
        CreatedAt = CreatedAtOf(runId),
        Error = reason,
    };

    // Run ids are version 7 GUIDs: their first 48 bits are the creation time in Unix milliseconds.
    private static DateTimeOffset CreatedAtOf(Guid runId)
        => DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(runId.ToString("N")[..12], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture));
}
