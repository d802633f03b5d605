namespace DigitGan.Shared.Runs;

/// <summary>
/// Named starting points for a spec (docs/presets.md): the tutorial's recipe (faithful, also what an empty spec
/// is), a first look that shows digits within minutes on a CPU, and an improved recipe beyond the tutorial. The
/// networks are the tutorial's in all of them; only training settings differ.
/// </summary>
public static class RunPresets
{
    public const string Faithful = "faithful";
    public const string FirstLook = "first-look";
    public const string Improved = "improved";

    public static IReadOnlyList<string> Names { get; } = [FirstLook, Improved, Faithful];

    public static bool IsKnown(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>The preset's spec (its <see cref="RunSpec.Preset"/> set to its name); throws for an unknown name.</summary>
    public static RunSpec Get(string name) => name switch
    {
        Faithful => new RunSpec { Preset = Faithful },
        FirstLook => new RunSpec
        {
            Preset = FirstLook,
            Name = "first-look",
            Epochs = 1,
            BatchSize = 16,
            LearningRate = 2e-4,
            Beta1 = 0.5,
            Step = StepKind.Reuse,
            DiscriminatorLearningRate = 4e-4,
            GeneratorEma = 0.99,
            Sampling = SamplingMode.Batch,
            SampleKeep = 0.8,
            Precision = Precision.Auto,
            CheckpointEvery = 1,
            EvaluationSamples = 5_000,
        },
        Improved => new RunSpec
        {
            Preset = Improved,
            Name = "improved",
            Epochs = 10,
            BatchSize = 16,
            LearningRate = 3e-4,
            Beta1 = 0.5,
            Step = StepKind.Alternating,
            LatentClusters = 10,
            LatentClusterOffset = 6,
            Loss = GanLoss.Hinge,
            DiscriminatorNorm = DiscriminatorNorm.Spectral,
            DiscriminatorLearningRate = 6e-4,
            GeneratorEma = 0.999,
            Sampling = SamplingMode.Batch,
            Precision = Precision.Auto,
            CheckpointEvery = 5,
        },
        _ => throw new ArgumentException($"Unknown preset '{name}'; use one of {string.Join(", ", Names)}.", nameof(name)),
    };

    /// <summary>What each preset is for, in one line (form buttons, CLI help, docs).</summary>
    public static string Describe(string name) => name switch
    {
        Faithful => "The TF DCGAN tutorial exactly: 50 epochs of batch 256, Adam 1e-4.",
        FirstLook => "Digits in 2-4 minutes on 2 CPU cores: one pass over the 60,000 training images in batches of 16 with the DCGAN paper's Adam (the discriminator at twice the rate), one generator pass a step (reuse), an averaged generator, the 80% of drawn digits its discriminator rates most real, and bf16 where the CPU has it.",
        Improved => "Beyond the tutorial: 10 epochs in batches of 16 with Adam at 3e-4 and the DCGAN paper's beta1 of 0.5, alternating steps, noise from 10 well-separated clusters (offset 6), the hinge loss with a spectrally normalised discriminator at twice the generator's learning rate, an averaged generator that draws every sample itself (no discriminator ranking: with the clustered prior it cost FID), and bf16 where the CPU has it.",
        _ => throw new ArgumentException($"Unknown preset '{name}'.", nameof(name)),
    };
}
