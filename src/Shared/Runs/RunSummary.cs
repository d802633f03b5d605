namespace DigitGan.Shared.Runs;

/// <summary>What the runs list shows of one run: enough to list, filter and sort 1,000 runs from one small blob.</summary>
public sealed record RunSummary
{
    public required Guid RunId { get; init; }
    public required string Name { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public RunStatus Status { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public int Epoch { get; init; }
    public int TotalEpochs { get; init; }
    public double ImagesPerSecond { get; init; }
    public double? EtaSeconds { get; init; }
    public double? LastDLoss { get; init; }
    public double? LastGLoss { get; init; }
    public double? LatestFid { get; init; }
    public double? FidFloor { get; init; }
    public double? BestFid { get; init; }
    public int LatestCheckpointEpoch { get; init; }
    public string? Error { get; init; }

    /// <summary>The newest evaluation's inception score and classes at 5% or more; null before the first.</summary>
    public double? LatestInceptionScore { get; init; }
    public int? LatestClasses { get; init; }

    /// <summary>Wall-clock seconds spent training, over every attempt.</summary>
    public double TrainingSeconds { get; init; }

    /// <summary>The run's spec without its notes (what the runs table's columns and filter expressions read); null only in an index written before it was kept.</summary>
    public RunSpec? Spec { get; init; }

    public static RunSummary From(RunManifest manifest) => new()
    {
        RunId = manifest.RunId,
        Name = manifest.Spec.Name,
        Tags = manifest.Spec.Tags,
        Status = manifest.Status,
        CreatedAt = manifest.CreatedAt,
        StartedAt = manifest.StartedAt,
        FinishedAt = manifest.FinishedAt,
        Epoch = manifest.Progress.Epoch,
        TotalEpochs = manifest.Progress.TotalEpochs,
        ImagesPerSecond = manifest.Progress.ImagesPerSecond,
        EtaSeconds = manifest.Progress.EtaSeconds,
        LastDLoss = manifest.LatestEpoch?.DLoss,
        LastGLoss = manifest.LatestEpoch?.GLoss,
        LatestFid = manifest.LatestEvaluation?.Fid,
        FidFloor = manifest.LatestEvaluation?.FidFloor,
        BestFid = manifest.BestFid ?? manifest.LatestEvaluation?.Fid,
        LatestCheckpointEpoch = manifest.LatestCheckpointEpoch,
        Error = manifest.Error,
        LatestInceptionScore = manifest.LatestEvaluation?.InceptionScore,
        LatestClasses = manifest.LatestEvaluation?.ClassesAtLeast5Percent,
        TrainingSeconds = manifest.TrainingSeconds,
        Spec = manifest.Spec with { Notes = null },
    };
}
