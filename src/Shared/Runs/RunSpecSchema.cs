using System.Globalization;

namespace DigitGan.Shared.Runs;

/// <summary>
/// Every field of <see cref="RunSpec"/>, in the new-run form's order: the one list that the form, the run and compare
/// pages' spec tables, the CLI's run flags and docs/run-spec.md are built from. A new RunSpec property needs its rule
/// in <see cref="RunSpec.Validate"/> and one entry here.
/// </summary>
public static class RunSpecSchema
{
    public static IReadOnlyList<RunSpecField> Fields { get; } =
    [
        Text("name", "--name", "Name", "A name for the run, shown in the lists and charts.",
            $"1-{RunSpec.MaxNameLength} characters, no control or bidirectional formatting characters",
            spec => spec.Name, (spec, value) => spec with { Name = value }),
        Tags("tags", "--tag", "Tags", "Labels to filter runs by, e.g. baseline, lr-sweep.",
            $"at most {RunSpec.MaxTags}, each 1-{RunSpec.MaxTagLength} of a-z, A-Z, 0-9, '-', '_' or '.'",
            spec => spec.Tags, (spec, value) => spec with { Tags = value }),
        Int("epochs", "--epochs", "Epochs", "Passes over the training images (the tutorial: 50).", $"1-{RunSpec.MaxEpochs}",
            spec => spec.Epochs, (spec, value) => spec with { Epochs = value }),
        Int("batchSize", "--batch-size", "Batch size", "Images per step (the tutorial: 256).", $"{RunSpec.MinBatchSize}-{RunSpec.MaxBatchSize}",
            spec => spec.BatchSize, (spec, value) => spec with { BatchSize = value }),
        OptionalInt("trainSubset", "--train-subset", "Train subset", "Train on the first N training images instead of all 60,000.", "the batch size to 60,000",
            "all 60,000", spec => spec.TrainSubset, (spec, value) => spec with { TrainSubset = value }),
        Long("seed", "--seed", "Seed", "Seeds every random stream of the run: same seed, same run.", "0 or more",
            spec => spec.Seed, (spec, value) => spec with { Seed = value }),
        Double("learningRate", "--lr", "Learning rate", "Adam learning rate of both networks (the tutorial: 1e-4).", "above 0, at most 1",
            spec => spec.LearningRate, (spec, value) => spec with { LearningRate = value }),
        Double("beta1", "--beta1", "Beta1", "Adam beta1 of both networks (Keras default 0.9).", "0 to below 1",
            spec => spec.Beta1, (spec, value) => spec with { Beta1 = value }),
        Double("beta2", "--beta2", "Beta2", "Adam beta2 of both networks (Keras default 0.999).", "0 to below 1",
            spec => spec.Beta2, (spec, value) => spec with { Beta2 = value }),
        Int("noiseDim", "--noise-dim", "Noise dimension", "Length of the generator's noise vector (the tutorial: 100).", $"1-{RunSpec.MaxNoiseDim}",
            spec => spec.NoiseDim, (spec, value) => spec with { NoiseDim = value }) with { FixedForFork = true },
        Int("latentClusters", "--latent-clusters", "Latent clusters", "The noise is a mixture of this many Gaussians centred on separate axes (a disconnected prior); 0 is the tutorial's standard normal.",
            string.Create(CultureInfo.InvariantCulture, $"0, or 2-{RunSpec.MaxLatentClusters} and at most the noise dimension"),
            spec => spec.LatentClusters, (spec, value) => spec with { LatentClusters = value }) with { FixedForFork = true },
        Double("latentClusterOffset", "--latent-cluster-offset", "Latent cluster offset", "With latent clusters: how far each cluster's centre lies along its axis, in standard deviations of the noise.",
            string.Create(CultureInfo.InvariantCulture, $"{RunSpec.MinLatentClusterOffset}-{RunSpec.MaxLatentClusterOffset}"),
            spec => spec.LatentClusterOffset, (spec, value) => spec with { LatentClusterOffset = value }) with { FixedForFork = true },
        Choice("step", "--step", "Training step", "Shared: one G pass for both losses (the tutorial); Alternating: D, then G on a fresh pass; Reuse: D, then G on the batch D was shown (one G pass a step).",
            spec => spec.Step, (spec, value) => spec with { Step = value }),
        OptionalDouble("discriminatorLearningRate", "--d-lr", "D learning rate", "Adam learning rate of the discriminator alone (two time-scale training).",
            "above 0, at most 1", "the learning rate", spec => spec.DiscriminatorLearningRate, (spec, value) => spec with { DiscriminatorLearningRate = value }),
        Choice("learningRateSchedule", "--lr-schedule", "LR schedule", "Constant: the same rates throughout (the tutorial); Linear: both rates fall linearly to zero over the run's steps.",
            spec => spec.LearningRateSchedule, (spec, value) => spec with { LearningRateSchedule = value }),
        Choice("loss", "--loss", "Loss", "Bce: the tutorial's cross-entropy; Hinge: the hinge loss of SN-GAN and BigGAN.",
            spec => spec.Loss, (spec, value) => spec with { Loss = value }),
        Double("labelSmoothing", "--label-smoothing", "Label smoothing", "One-sided: D's target (Hinge: margin) for real digits is 1 minus this; 0 is off.",
            string.Create(CultureInfo.InvariantCulture, $"0-{RunSpec.MaxLabelSmoothing}"), spec => spec.LabelSmoothing, (spec, value) => spec with { LabelSmoothing = value }),
        Choice("discriminatorNorm", "--d-norm", "D weight norm", "None: the tutorial; Spectral: spectral normalisation of D's weights.",
            spec => spec.DiscriminatorNorm, (spec, value) => spec with { DiscriminatorNorm = value }),
        Double("generatorTopK", "--g-top-k", "G top-k", "G learns only from this share of each generated batch, the digits D scores most real (top-k training); 1 uses every digit (the tutorial).",
            string.Create(CultureInfo.InvariantCulture, $"{RunSpec.MinGeneratorTopK}-1"), spec => spec.GeneratorTopK, (spec, value) => spec with { GeneratorTopK = value }),
        Double("consistencyWeight", "--d-consistency", "D consistency", string.Create(CultureInfo.InvariantCulture, $"D is also shown each digit shifted by up to {RunSpec.ConsistencyShift} px and penalised by this weight times the squared change of its score (balanced consistency regularisation); 0 is off (the tutorial)."),
            string.Create(CultureInfo.InvariantCulture, $"0-{RunSpec.MaxConsistencyWeight}"), spec => spec.ConsistencyWeight, (spec, value) => spec with { ConsistencyWeight = value }),
        Double("generatorEma", "--g-ema", "Generator EMA", "Samples come from a moving average of G's weights with this decay, e.g. 0.999; 0 is off.", "0, or above 0 and below 1",
            spec => spec.GeneratorEma, (spec, value) => spec with { GeneratorEma = value }) with { FixedForFork = true },
        Choice("sampling", "--sampling", "Sampling BatchNorm", "Running: BatchNorm's running averages (the tutorial); Batch: the drawn batch's statistics.",
            spec => spec.Sampling, (spec, value) => spec with { Sampling = value }),
        Double("sampleKeep", "--sample-keep", "Sample keep (D-ranked)", "Draw n / this many digits and keep the n the discriminator scores most real (discriminator rejection sampling); 1 keeps every digit (the tutorial).",
            string.Create(CultureInfo.InvariantCulture, $"{RunSpec.MinSampleKeep}-1"), spec => spec.SampleKeep, (spec, value) => spec with { SampleKeep = value }),
        Choice("precision", "--precision", "Precision", "Fp32: float32 (the tutorial); Bf16: bfloat16 convolutions and products, float32 weights and optimizer (float16 with loss scaling on a GPU without bf16); Auto: Bf16 where the hardware has it.",
            spec => spec.Precision, (spec, value) => spec with { Precision = value }),
        Int("checkpointEvery", "--checkpoint-every", "Checkpoint every", "Keep a numbered checkpoint every N epochs (and always the last).", "1 or more",
            spec => spec.CheckpointEvery, (spec, value) => spec with { CheckpointEvery = value }),
        Int("evaluateEvery", "--eval-every", "Evaluate every", "Score FID, IS and class coverage every N epochs and after the last; 0 turns it off.", "0 or more",
            spec => spec.EvaluateEvery, (spec, value) => spec with { EvaluateEvery = value }) with { Format = every => every == 0 ? "off" : Invariant(every) },
        Int("evaluationSamples", "--eval-samples", "Evaluation samples", "Digits generated per evaluation; compare FIDs only at equal counts.",
            string.Create(CultureInfo.InvariantCulture, $"{RunSpec.MinEvaluationSamples:N0}-{RunSpec.MaxEvaluationSamples:N0}"),
            spec => spec.EvaluationSamples, (spec, value) => spec with { EvaluationSamples = value }),
        OptionalInt("maxStepsPerEpoch", "--max-steps", "Max steps per epoch", "Stop each epoch after N steps (a dry run) instead of at its end.", "1 or more",
            "whole epochs", spec => spec.MaxStepsPerEpoch, (spec, value) => spec with { MaxStepsPerEpoch = value }),
        OptionalText("notes", "--notes", "Notes", "Free text kept with the run: what it tries and why.", string.Create(CultureInfo.InvariantCulture, $"at most {RunSpec.MaxNotesLength:N0} characters"),
            spec => spec.Notes, (spec, value) => spec with { Notes = value }),
        new RunSpecField<string?>
        {
            Name = "preset", Flag = "--preset", Label = "Preset", Kind = RunSpecFieldKind.Preset,
            Help = "Start from a named spec; the other fields given change it.", Limits = string.Join(", ", RunPresets.Names),
            Get = spec => spec.Preset, With = (spec, value) => spec with { Preset = value }, Format = value => value ?? "",
        },
        Parent("parent", "--parent", "Fork of", "Continue another run from its checkpoint of an epoch instead of from scratch.",
            "a checkpoint that run has, at an epoch below this run's epochs",
            spec => spec.Parent, (spec, value) => spec with { Parent = value }),
    ];

    /// <summary>The field that an error key of <see cref="RunSpec.Validate"/> or of the API names (a JSON path such as parent.epoch names its top field).</summary>
    public static RunSpecField? Find(string name) => Fields.FirstOrDefault(field => field.Name == name.Split('.')[0]);

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static RunSpecField<string> Text(string name, string flag, string label, string help, string limits,
        Func<RunSpec, string> get, Func<RunSpec, string, RunSpec> set) => new()
    {
        Name = name, Flag = flag, Label = label, Help = help, Limits = limits, Kind = RunSpecFieldKind.Text,
        Get = get, With = set, Format = value => value,
    };

    private static RunSpecField<string?> OptionalText(string name, string flag, string label, string help, string limits,
        Func<RunSpec, string?> get, Func<RunSpec, string?, RunSpec> set) => new()
    {
        Name = name, Flag = flag, Label = label, Help = help, Limits = limits, Kind = RunSpecFieldKind.OptionalText,
        Get = get, With = set, Format = value => value ?? "",
    };

    private static RunSpecField<IReadOnlyList<string>> Tags(string name, string flag, string label, string help, string limits,
        Func<RunSpec, IReadOnlyList<string>> get, Func<RunSpec, IReadOnlyList<string>, RunSpec> set) => new()
    {
        Name = name, Flag = flag, Label = label, Help = help, Limits = limits, Kind = RunSpecFieldKind.Tags,
        Get = get, With = set, Format = value => string.Join(", ", value),
    };

    private static RunSpecField<int> Int(string name, string flag, string label, string help, string limits,
        Func<RunSpec, int> get, Func<RunSpec, int, RunSpec> set) => new()
    {
        Name = name, Flag = flag, Label = label, Help = help, Limits = limits, Kind = RunSpecFieldKind.Int,
        Get = get, With = set, Format = value => Invariant(value),
    };

    /// <param name="whenEmpty">What null means, shown in its place.</param>
    private static RunSpecField<int?> OptionalInt(string name, string flag, string label, string help, string limits, string whenEmpty,
        Func<RunSpec, int?> get, Func<RunSpec, int?, RunSpec> set) => new()
    {
        Name = name, Flag = flag, Label = label, Help = help, Limits = limits, Kind = RunSpecFieldKind.OptionalInt,
        Get = get, With = set, Format = value => value is { } number ? Invariant(number) : whenEmpty,
    };

    /// <param name="whenEmpty">What null means, shown in its place.</param>
    private static RunSpecField<double?> OptionalDouble(string name, string flag, string label, string help, string limits, string whenEmpty,
        Func<RunSpec, double?> get, Func<RunSpec, double?, RunSpec> set) => new()
    {
        Name = name, Flag = flag, Label = label, Help = help, Limits = limits, Kind = RunSpecFieldKind.OptionalDouble,
        Get = get, With = set, Format = value => value is { } number ? number.ToString("G", CultureInfo.InvariantCulture) : whenEmpty,
    };

    private static RunSpecField<long> Long(string name, string flag, string label, string help, string limits,
        Func<RunSpec, long> get, Func<RunSpec, long, RunSpec> set) => new()
    {
        Name = name, Flag = flag, Label = label, Help = help, Limits = limits, Kind = RunSpecFieldKind.Long,
        Get = get, With = set, Format = Invariant,
    };

    private static RunSpecField<double> Double(string name, string flag, string label, string help, string limits,
        Func<RunSpec, double> get, Func<RunSpec, double, RunSpec> set) => new()
    {
        Name = name, Flag = flag, Label = label, Help = help, Limits = limits, Kind = RunSpecFieldKind.Double,
        Get = get, With = set, Format = value => value.ToString("G", CultureInfo.InvariantCulture),
    };

    private static RunSpecField<TEnum> Choice<TEnum>(string name, string flag, string label, string help,
        Func<RunSpec, TEnum> get, Func<RunSpec, TEnum, RunSpec> set)
        where TEnum : struct, Enum => new()
    {
        Name = name, Flag = flag, Label = label, Help = help, Limits = string.Join(" or ", Enum.GetNames<TEnum>()), Kind = RunSpecFieldKind.Choice,
        Get = get, With = set, Format = value => value.ToString(),
    };

    private static RunSpecField<RunParent?> Parent(string name, string flag, string label, string help, string limits,
        Func<RunSpec, RunParent?> get, Func<RunSpec, RunParent?, RunSpec> set) => new()
    {
        Name = name, Flag = flag, Label = label, Help = help, Limits = limits, Kind = RunSpecFieldKind.Parent,
        Get = get, With = set, Format = value => value is { } parent ? $"{parent.RunId} @ epoch {parent.Epoch}" : "",
    };
}
