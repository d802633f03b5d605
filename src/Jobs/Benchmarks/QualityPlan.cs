using DigitGan.Shared.Runs;

namespace DigitGan.Jobs.Benchmarks;

/// <summary>
/// A quality experiment: named variants of a spec, trained for some seeds and scored at some epochs. The plans
/// behind docs/presets.md: the ablation (each change beyond the tutorial alone, and all together), and the two
/// presets' targets over several seeds.
/// </summary>
/// <param name="Name">The plan's name (the `experiment --plan` value, and the tag of its runs).</param>
/// <param name="Variants">Each variant's name and spec (the seed is set per run).</param>
/// <param name="ReportEpochs">The epochs whose scores and grids the tables show.</param>
/// <param name="Seeds">The seeds each variant is trained with.</param>
public sealed record QualityPlan(string Name, IReadOnlyList<(string Name, RunSpec Spec)> Variants, IReadOnlyList<int> ReportEpochs, IReadOnlyList<long> Seeds)
{
    /// <summary>The plan's targets: at which epoch, in words, and whether a row meets it (none for the ablation).</summary>
    public IReadOnlyList<(int Epoch, string Description, Func<QualityRow, bool> IsMet)> Targets { get; init; } = [];

    /// <summary>
    /// A variant the others are compared with for parity (the precision plan: fp32): a variant's mean over seeds of
    /// IS, FID and classes must lie within the baseline's seed-to-seed range (min to max) at each report epoch.
    /// </summary>
    public string? Baseline { get; init; }

    public static IReadOnlyList<string> Names { get; } = ["ablation", "first-look", "improved", "precision"];

    public static QualityPlan Get(string name) => name switch
    {
        "ablation" => Ablation(),
        "first-look" => new("first-look", [("first-look", RunPresets.Get(RunPresets.FirstLook))], [1], [0, 1, 2])
        {
            Targets = [(1, "IS >= 6, at least 8 classes at 5% or more, at most 180 s of training", r => r.InceptionScore >= 6 && r.ClassesAtLeast5Percent >= 8 && r.TrainingSeconds <= 180)],
        },
        "improved" => new("improved", [("improved", RunPresets.Get(RunPresets.Improved) with { CheckpointEvery = 10 })], [.. Enumerable.Range(1, 10)], [0, 1, 2])
        {
            Targets = [(10, "IS >= 9.0, all 10 classes at 5% or more, FID at most 5x the real-vs-real floor", r => r.InceptionScore >= 9 && r.ClassesAtLeast5Percent == 10 && r.FidOverFloor <= 5)],
        },
        "precision" => new("precision",
        [
            ("fp32", new RunSpec { Epochs = 5, CheckpointEvery = 5 }),
            ("bf16", new RunSpec { Epochs = 5, CheckpointEvery = 5, Precision = Precision.Bf16 }),
        ], [1, 2, 3, 4, 5], [0, 1, 2]) { Baseline = "fp32" },
        _ => throw new ArgumentException($"Unknown plan '{name}'; use one of {string.Join(", ", Names)}.", nameof(name)),
    };

    /// <summary>
    /// The tutorial for 5 epochs, the improved preset's changes together, then each change alone on top of the
    /// tutorial (all of them are in the improved preset except label smoothing). Every variant
    /// computes in the precision the improved preset uses (Auto: bf16 where the CPU has it, which halves the plan's
    /// time and was shown not to change quality, docs/precision.md), so that precision is not one of the differences.
    /// </summary>
    private static QualityPlan Ablation()
    {
        var tutorial = new RunSpec { Epochs = 5, CheckpointEvery = 5, Precision = Precision.Auto };
        var improved = RunPresets.Get(RunPresets.Improved) with { Epochs = 5, CheckpointEvery = 5, Preset = null };
        return new("ablation",
        [
            ("tutorial", tutorial),
            ("improved", improved),
            ("dcgan-adam", tutorial with { LearningRate = 2e-4, Beta1 = 0.5 }),
            ("batch-16", tutorial with { BatchSize = 16 }),
            ("alternating", tutorial with { Step = StepKind.Alternating }),
            ("label-smoothing", tutorial with { LabelSmoothing = 0.1 }),
            ("ema", tutorial with { GeneratorEma = 0.999 }),
            ("batch-sampling", tutorial with { Sampling = SamplingMode.Batch }),
            ("sample-keep", tutorial with { SampleKeep = 0.8 }),
            ("spectral-norm", tutorial with { DiscriminatorNorm = DiscriminatorNorm.Spectral }),
            ("hinge", tutorial with { Loss = GanLoss.Hinge }),
            ("ttur", tutorial with { DiscriminatorLearningRate = 4e-4 }),
            ("top-k", tutorial with { GeneratorTopK = 0.5 }),
            ("latent-clusters", tutorial with { LatentClusters = 10 }),
        ], [1, 3, 5], [0]);
    }

    /// <summary>The name a run of this plan gets, by which a later invocation finds it instead of training it again.</summary>
    public string RunName(string variant, long seed) => $"{Name}:{variant}:seed{seed}";

    /// <summary>The tag every run of the plan carries.</summary>
    public string Tag => $"experiment-{Name}";
}
