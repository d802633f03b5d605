using System.Globalization;

namespace DigitGan.Shared.Runs;

/// <summary>How one training step updates the two networks.</summary>
public enum StepKind
{
    /// <summary>The TF tutorial's step: one generator pass, both losses from it, each net updated from its own loss.</summary>
    Shared,

    /// <summary>Conventional GAN step: update D on a detached fake batch, then a fresh G pass for the G update.</summary>
    Alternating,

    /// <summary>
    /// As <see cref="Alternating"/>, but the G update reuses the batch the D update was shown, scored by the updated D:
    /// one G pass a step instead of two (PyTorch's DCGAN example), about a fifth fewer products.
    /// </summary>
    Reuse,
}

/// <summary>How the learning rates change over a run.</summary>
public enum LearningRateSchedule
{
    /// <summary>The same rates from the first step to the last (the tutorial).</summary>
    Constant,

    /// <summary>Both rates fall linearly from their set values at the run's first step to zero after its last.</summary>
    Linear,
}

/// <summary>The adversarial loss.</summary>
public enum GanLoss
{
    /// <summary>Binary cross-entropy on logits, the tutorial's (G minimises -log D(G(z))).</summary>
    Bce,

    /// <summary>Hinge loss: D minimises relu(1 - D(x)) + relu(1 + D(G(z))), G minimises -D(G(z)).</summary>
    Hinge,
}

/// <summary>A normalisation of the discriminator's weights.</summary>
public enum DiscriminatorNorm
{
    /// <summary>The tutorial's plain weights.</summary>
    None,

    /// <summary>Spectral normalisation: each weight divided by its largest singular value (one power iteration a step).</summary>
    Spectral,
}

/// <summary>Which BatchNorm statistics the generator uses when it draws samples (grids, evaluation, downloads).</summary>
public enum SamplingMode
{
    /// <summary>The running averages, as Keras' training=False does (the tutorial). They lag early in training.</summary>
    Running,

    /// <summary>The statistics of the batch being drawn (at least 256 digits at a time), as in training.</summary>
    Batch,
}

/// <summary>The number format of a run's convolutions and matrix products.</summary>
public enum Precision
{
    /// <summary>float32 throughout (the tutorial).</summary>
    Fp32,

    /// <summary>Convolutions and matrix products in bfloat16 (on a CUDA GPU without it: float16 with dynamic loss scaling); weights, BatchNorm statistics, losses and Adam's state stay float32.</summary>
    Bf16,

    /// <summary>Bf16 where the hardware computes it natively (CPUs with AMX-BF16 or AVX512-BF16, CUDA GPUs of compute capability 8.0 or newer), float16 with loss scaling on CUDA 7.x, else Fp32.</summary>
    Auto,
}

/// <summary>What a run trains: the TF DCGAN tutorial's recipe by default (docs/model.md).</summary>
public sealed record RunSpec
{
    public const int MaxEpochs = 500;
    public const int MinBatchSize = 2;
    public const int MaxBatchSize = 4096;
    public const int MaxNoiseDim = 1024;
    public const int MinEvaluationSamples = 100;
    public const int MaxEvaluationSamples = 50_000;
    public const int MaxNameLength = 100;
    public const int MaxTags = 20;
    public const int MaxTagLength = 40;
    public const int MaxNotesLength = 10_000;
    public const double MaxLabelSmoothing = 0.5;
    public const int MaxPresetLength = 40;
    public const double MinSampleKeep = 0.25;
    public const double MinGeneratorTopK = 0.25;
    public const int MaxLatentClusters = 100;
    public const double MaxConsistencyWeight = 100;

    /// <summary>How far, in pixels, consistency regularisation (<see cref="ConsistencyWeight"/>) shifts each digit at most, along each axis.</summary>
    public const int ConsistencyShift = 2;

    public const double DefaultLatentClusterOffset = 4;
    public const double MinLatentClusterOffset = 1;
    public const double MaxLatentClusterOffset = 20;

    public string Name { get; init; } = "dcgan";
    public IReadOnlyList<string> Tags { get; init; } = [];
    public string? Notes { get; init; }
    public int Epochs { get; init; } = 50;
    public int BatchSize { get; init; } = 256;
    public double LearningRate { get; init; } = 1e-4;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public int NoiseDim { get; init; } = 100;

    /// <summary>
    /// The generator's noise is a mixture of this many Gaussians, one centred on each of the first axes (a
    /// disconnected prior, so no noise lies between two clusters); 0 is the tutorial's standard normal.
    /// </summary>
    public int LatentClusters { get; init; }

    /// <summary>How far each centre of a clustered latent prior (<see cref="LatentClusters"/>) lies along its axis, in standard deviations; two centres are √2 times this apart.</summary>
    public double LatentClusterOffset { get; init; } = DefaultLatentClusterOffset;

    public long Seed { get; init; }

    /// <summary>Train on the first N training images; null trains on all 60,000.</summary>
    public int? TrainSubset { get; init; }

    public StepKind Step { get; init; } = StepKind.Shared;

    /// <summary>The preset the spec was made from (first-look, improved, faithful); null for a spec made by hand. Informational.</summary>
    public string? Preset { get; init; }

    /// <summary>Adam learning rate of the discriminator (two time-scale training); null: the same as <see cref="LearningRate"/>.</summary>
    public double? DiscriminatorLearningRate { get; init; }

    /// <summary>How both learning rates change over the run's steps (all epochs, a fork's included).</summary>
    public LearningRateSchedule LearningRateSchedule { get; init; } = LearningRateSchedule.Constant;

    public GanLoss Loss { get; init; } = GanLoss.Bce;

    /// <summary>One-sided label smoothing: D's target for real digits is 1 minus this (with the hinge loss, its margin for them); 0 is off.</summary>
    public double LabelSmoothing { get; init; }

    public DiscriminatorNorm DiscriminatorNorm { get; init; } = DiscriminatorNorm.None;

    /// <summary>Decay of an exponential moving average of the generator's weights that draws the samples; 0 is off (sample from the trained weights).</summary>
    public double GeneratorEma { get; init; }

    public SamplingMode Sampling { get; init; } = SamplingMode.Running;

    /// <summary>
    /// Discriminator-ranked sampling: draw n / this many digits and keep the n that the discriminator scores most real
    /// (the top-k form of discriminator rejection sampling). 1 keeps every digit drawn (the tutorial). Applies to the
    /// sample grids, evaluations and the sample command; training is the same either way.
    /// </summary>
    public double SampleKeep { get; init; } = 1;

    /// <summary>
    /// Top-k training: the generator's loss in each step counts only this share of the generated batch, the digits the
    /// discriminator scores most real (Sinha et al. 2020); the others give G no gradient. 1 counts every digit (the
    /// tutorial). The discriminator still learns from the whole batch.
    /// </summary>
    public double GeneratorTopK { get; init; } = 1;

    /// <summary>
    /// Balanced consistency regularisation of the discriminator (Zhang et al. 2020; Zhao et al. 2021): each step D is
    /// also shown every real and generated digit of its batch shifted by up to <see cref="ConsistencyShift"/> pixels
    /// along each axis, and its loss adds this weight times the mean squared change of its score, so that it judges a
    /// digit by its shape rather than by where its pixels lie. 0 is off (the tutorial). The generator's loss is unchanged.
    /// </summary>
    public double ConsistencyWeight { get; init; }

    /// <summary>How many of a generated batch of <paramref name="batch"/> digits the generator's loss counts (<see cref="GeneratorTopK"/>): at least one.</summary>
    public long GeneratorTopKCount(long batch) => Math.Max(1, (long)Math.Round(GeneratorTopK * batch, MidpointRounding.AwayFromZero));

    /// <summary>Whether <paramref name="value"/> is a valid <see cref="SampleKeep"/>: <see cref="MinSampleKeep"/> to 1.</summary>
    public static bool IsValidSampleKeep(double value) => value >= MinSampleKeep && value <= 1;

    /// <summary>The number format of convolutions and matrix products; checkpoints are float32 whatever it is, so a run can resume in another.</summary>
    public Precision Precision { get; init; } = Precision.Fp32;

    /// <summary>Keep a numbered checkpoint every N epochs (the tutorial: 15); the last epoch always gets one.</summary>
    public int CheckpointEvery { get; init; } = 15;

    /// <summary>Score the generator's quality every N epochs (and after the last); 0 turns quality metrics off.</summary>
    public int EvaluateEvery { get; init; } = 1;

    /// <summary>Digits generated per evaluation (FID is biased upward at small counts: compare runs only at equal counts).</summary>
    public int EvaluationSamples { get; init; } = 10_000;

    /// <summary>Continue another run from its checkpoint of an epoch (a fork); null starts from scratch.</summary>
    public RunParent? Parent { get; init; }

    /// <summary>Stop each epoch after this many steps (a dry run); null trains whole epochs.</summary>
    public int? MaxStepsPerEpoch { get; init; }

    /// <summary>The discriminator's learning rate: its own, else the shared one.</summary>
    public double DiscriminatorRate() => DiscriminatorLearningRate ?? LearningRate;

    /// <summary>
    /// What the set learning rates are multiplied by at a step (1-based, counted over the whole run) of a run of
    /// <paramref name="totalSteps"/> steps: 1 throughout when constant, (total - step + 1) / total when linear.
    /// </summary>
    public double LearningRateFactor(long globalStep, long totalSteps) => LearningRateSchedule == LearningRateSchedule.Linear && totalSteps > 0
        ? Math.Clamp((double)(totalSteps - globalStep + 1) / totalSteps, 0, 1)
        : 1;

    /// <summary>
    /// Checks every field and returns the problems by field name (camelCase, as in the JSON form); empty when valid.
    /// </summary>
    public IReadOnlyDictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        if (string.IsNullOrWhiteSpace(Name) || Name.Length > MaxNameLength)
        {
            Add("name", $"Name must be 1-{MaxNameLength} characters.");
        }
        else if (Name.Any(IsHiddenCharacter))
        {
            Add("name", $"Name must not contain control or bidirectional formatting characters (it holds U+{(int)Name.First(IsHiddenCharacter):X4}); use plain text on one line.");
        }

        if (Tags is null)
        {
            Add("tags", "Tags must be a list of strings; leave the field out for none.");
        }
        else if (Tags.Count > MaxTags)
        {
            Add("tags", $"A run takes at most {MaxTags} tags (got {Tags.Count}).");
        }
        else if (Tags.Any(t => !IsSafeTag(t)))
        {
            Add("tags", $"Each tag must be 1-{MaxTagLength} characters of letters a-z or A-Z, digits, '-', '_' or '.' (not '{Shorten(Tags.First(t => !IsSafeTag(t)))}').");
        }

        if (Notes is { Length: > MaxNotesLength })
        {
            Add("notes", string.Create(CultureInfo.InvariantCulture, $"Notes must be at most {MaxNotesLength:N0} characters (got {Notes.Length:N0})."));
        }

        if (Epochs is < 1 or > MaxEpochs)
        {
            Add("epochs", $"Epochs must be between 1 and {MaxEpochs}.");
        }

        if (BatchSize is < MinBatchSize or > MaxBatchSize)
        {
            Add("batchSize", $"Batch size must be between {MinBatchSize} and {MaxBatchSize}.");
        }

        if (!(LearningRate > 0 && LearningRate <= 1))
        {
            Add("learningRate", "Learning rate must be greater than 0 and at most 1.");
        }

        if (!(Beta1 >= 0 && Beta1 < 1))
        {
            Add("beta1", "Beta1 must be in [0, 1).");
        }

        if (!(Beta2 >= 0 && Beta2 < 1))
        {
            Add("beta2", "Beta2 must be in [0, 1).");
        }

        if (NoiseDim is < 1 or > MaxNoiseDim)
        {
            Add("noiseDim", $"Noise dimension must be between 1 and {MaxNoiseDim}.");
        }

        if (Seed < 0)
        {
            Add("seed", "Seed must be zero or positive.");
        }

        if (TrainSubset is { } subset && (subset < BatchSize || subset > 60_000))
        {
            Add("trainSubset", $"Train subset must be between the batch size ({BatchSize}) and 60,000 images, or empty for all.");
        }

        if (CheckpointEvery < 1)
        {
            Add("checkpointEvery", "Checkpoint interval must be at least 1 epoch.");
        }

        if (EvaluateEvery < 0)
        {
            Add("evaluateEvery", "Evaluation interval must be 0 (off) or a number of epochs.");
        }

        if (EvaluationSamples is < MinEvaluationSamples or > MaxEvaluationSamples)
        {
            Add("evaluationSamples", $"Evaluation samples must be between {MinEvaluationSamples} and 50,000.");
        }

        if (MaxStepsPerEpoch is < 1)
        {
            Add("maxStepsPerEpoch", "Max steps per epoch must be at least 1, or empty for whole epochs.");
        }

        if (Parent is { } parent && (parent.Epoch < 1 || parent.Epoch >= Epochs))
        {
            Add("parent", $"The parent checkpoint's epoch must be at least 1 and below the run's epochs ({Epochs}).");
        }

        if (!Enum.IsDefined(Step))
        {
            Add("step", "Step must be 'Shared', 'Alternating' or 'Reuse'.");
        }

        if (Preset is { } preset && !RunPresets.IsKnown(preset))
        {
            Add("preset", $"Preset must be one of {string.Join(", ", RunPresets.Names)} (got '{Shorten(preset)}').");
        }

        if (DiscriminatorLearningRate is { } dRate && !(dRate > 0 && dRate <= 1))
        {
            Add("discriminatorLearningRate", "Discriminator learning rate must be greater than 0 and at most 1, or empty for the learning rate.");
        }

        if (!Enum.IsDefined(LearningRateSchedule))
        {
            Add("learningRateSchedule", "Learning rate schedule must be 'Constant' or 'Linear'.");
        }

        if (!Enum.IsDefined(Loss))
        {
            Add("loss", "Loss must be 'Bce' or 'Hinge'.");
        }

        if (!(LabelSmoothing >= 0 && LabelSmoothing <= MaxLabelSmoothing))
        {
            Add("labelSmoothing", $"Label smoothing must be between 0 (off) and {MaxLabelSmoothing.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (!Enum.IsDefined(DiscriminatorNorm))
        {
            Add("discriminatorNorm", "Discriminator norm must be 'None' or 'Spectral'.");
        }

        if (!(GeneratorEma >= 0 && GeneratorEma < 1))
        {
            Add("generatorEma", "Generator EMA decay must be 0 (off) or in (0, 1), e.g. 0.999.");
        }

        if (!Enum.IsDefined(Sampling))
        {
            Add("sampling", "Sampling must be 'Running' or 'Batch'.");
        }

        if (LatentClusters != 0 && !(LatentClusters >= 2 && LatentClusters <= Math.Min(MaxLatentClusters, NoiseDim)))
        {
            Add("latentClusters", $"Latent clusters must be 0 (the standard normal prior) or 2 to {MaxLatentClusters} and at most the noise dimension ({NoiseDim.ToString(CultureInfo.InvariantCulture)}).");
        }

        if (!(LatentClusterOffset >= MinLatentClusterOffset && LatentClusterOffset <= MaxLatentClusterOffset))
        {
            Add("latentClusterOffset", $"Latent cluster offset must be between {MinLatentClusterOffset.ToString(CultureInfo.InvariantCulture)} and {MaxLatentClusterOffset.ToString(CultureInfo.InvariantCulture)} standard deviations (the distance of each cluster's centre from the origin along its axis).");
        }

        if (!(GeneratorTopK >= MinGeneratorTopK && GeneratorTopK <= 1))
        {
            Add("generatorTopK", $"Generator top-k must be between {MinGeneratorTopK.ToString(CultureInfo.InvariantCulture)} and 1 (1 lets G learn from every digit it draws; 0.5 from the half D scores most real).");
        }

        if (!(ConsistencyWeight >= 0 && ConsistencyWeight <= MaxConsistencyWeight))
        {
            Add("consistencyWeight", $"Consistency weight must be between 0 (off) and {MaxConsistencyWeight.ToString(CultureInfo.InvariantCulture)} (10 is the literature's value).");
        }

        if (!IsValidSampleKeep(SampleKeep))
        {
            Add("sampleKeep", $"Sample keep must be between {MinSampleKeep.ToString(CultureInfo.InvariantCulture)} and 1 (1 keeps every digit drawn; 0.8 draws 1.25 digits for each one kept).");
        }

        if (!Enum.IsDefined(Precision))
        {
            Add("precision", "Precision must be 'Fp32', 'Bf16' or 'Auto'.");
        }

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    private static bool IsSafeTag(string? tag)
        => tag is { Length: > 0 and <= MaxTagLength } && tag.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    // Control characters (NUL, CR, LF, ...) and the bidirectional formatting characters that can make a name read differently than it is.
    private static bool IsHiddenCharacter(char c)
        => char.IsControl(c) || c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    private static string Shorten(string? text) => text is null ? "null" : text.Length > MaxTagLength + 10 ? text[..(MaxTagLength + 10)] + "..." : text;
}
