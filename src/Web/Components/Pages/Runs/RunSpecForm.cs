using DigitGan.Shared.Runs;

namespace DigitGan.Web.Components.Pages.Runs;

/// <summary>The new-run form's editable copy of a <see cref="RunSpec"/> (tags as one comma-separated text).</summary>
public sealed class RunSpecForm
{
    public string Name { get; set; } = "dcgan";
    public string Tags { get; set; } = "";
    public string? Notes { get; set; }
    public int Epochs { get; set; }
    public int BatchSize { get; set; }
    public double LearningRate { get; set; }
    public double Beta1 { get; set; }
    public double Beta2 { get; set; }
    public int NoiseDim { get; set; }
    public long Seed { get; set; }
    public int? TrainSubset { get; set; }
    public StepKind Step { get; set; }
    public int CheckpointEvery { get; set; }
    public int EvaluateEvery { get; set; }
    public int EvaluationSamples { get; set; }
    public int? MaxStepsPerEpoch { get; set; }
    public RunParent? Parent { get; set; }

    public static RunSpecForm From(RunSpec spec) => new()
    {
        Name = spec.Name,
        Tags = string.Join(", ", spec.Tags),
        Notes = spec.Notes,
        Epochs = spec.Epochs,
        BatchSize = spec.BatchSize,
        LearningRate = spec.LearningRate,
        Beta1 = spec.Beta1,
        Beta2 = spec.Beta2,
        NoiseDim = spec.NoiseDim,
        Seed = spec.Seed,
        TrainSubset = spec.TrainSubset,
        Step = spec.Step,
        CheckpointEvery = spec.CheckpointEvery,
        EvaluateEvery = spec.EvaluateEvery,
        EvaluationSamples = spec.EvaluationSamples,
        MaxStepsPerEpoch = spec.MaxStepsPerEpoch,
        Parent = spec.Parent,
    };

    public RunSpec ToSpec() => new()
    {
        Name = Name?.Trim() ?? "",
        Tags = [.. (Tags ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
        Notes = string.IsNullOrWhiteSpace(Notes) ? null : Notes,
        Epochs = Epochs,
        BatchSize = BatchSize,
        LearningRate = LearningRate,
        Beta1 = Beta1,
        Beta2 = Beta2,
        NoiseDim = NoiseDim,
        Seed = Seed,
        TrainSubset = TrainSubset,
        Step = Step,
        CheckpointEvery = CheckpointEvery,
        EvaluateEvery = EvaluateEvery,
        EvaluationSamples = EvaluationSamples,
        MaxStepsPerEpoch = MaxStepsPerEpoch,
        Parent = Parent,
    };

    /// <summary>The presets the form offers: name, what it changes, and the spec it starts from.</summary>
    public static IReadOnlyList<(string Label, Action<RunSpecForm> Apply)> Presets { get; } =
    [
        ("Quick check: 1 epoch on 6,000 images", f => (f.Epochs, f.TrainSubset, f.CheckpointEvery) = (1, 6_000, 1)),
        ("Tutorial: 50 epochs", f => (f.Epochs, f.TrainSubset, f.CheckpointEvery) = (50, null, 15)),
        ("Seed notebook: 100 epochs", f => (f.Epochs, f.TrainSubset, f.CheckpointEvery) = (100, null, 15)),
    ];
}
