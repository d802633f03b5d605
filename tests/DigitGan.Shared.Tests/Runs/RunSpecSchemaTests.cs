using System.Reflection;
using System.Text.Json;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using Xunit;

namespace DigitGan.Shared.Tests.Runs;

public sealed class RunSpecSchemaTests
{
    /// <summary>A spec whose every field differs from <c>new RunSpec()</c> (and is valid).</summary>
    private static readonly RunSpec Changed = new()
    {
        Name = "changed",
        Tags = ["a", "b"],
        Notes = "why",
        Epochs = 20,
        BatchSize = 64,
        LearningRate = 2e-4,
        Beta1 = 0.5,
        Beta2 = 0.99,
        NoiseDim = 64,
        Seed = 7,
        TrainSubset = 1_000,
        Step = StepKind.Alternating,
        CheckpointEvery = 5,
        EvaluateEvery = 0,
        EvaluationSamples = 500,
        Parent = new RunParent(Guid.NewGuid(), 3),
        MaxStepsPerEpoch = 10,
        Preset = RunPresets.Improved,
        DiscriminatorLearningRate = 4e-4,
        Loss = GanLoss.Hinge,
        LearningRateSchedule = LearningRateSchedule.Linear,
        LabelSmoothing = 0.1,
        DiscriminatorNorm = DiscriminatorNorm.Spectral,
        GeneratorEma = 0.999,
        Sampling = SamplingMode.Batch,
        SampleKeep = 0.8,
        GeneratorTopK = 0.5,
        ConsistencyWeight = 10,
        LatentClusters = 10,
        LatentClusterOffset = 6,
        Precision = Precision.Bf16,
    };

    [Fact]
    public void EveryPublicPropertyOfRunSpec_HasExactlyOneField_UnderItsJsonName()
    {
        var properties = typeof(RunSpec).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(property => JsonNamingPolicy.CamelCase.ConvertName(property.Name))
            .Order(StringComparer.Ordinal);

        Assert.Equal(properties, RunSpecSchema.Fields.Select(field => field.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void FieldNames_AreTheNamesTheApiSerializes()
    {
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(Changed, ArtifactJson.Options));

        Assert.Equal(json.RootElement.EnumerateObject().Select(property => property.Name).Order(StringComparer.Ordinal),
            RunSpecSchema.Fields.Select(field => field.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void FlagsAndLabels_AreUniqueAndEveryFieldIsDescribed()
    {
        Assert.Equal(RunSpecSchema.Fields.Count, RunSpecSchema.Fields.Select(field => field.Flag).Distinct().Count());
        Assert.Equal(RunSpecSchema.Fields.Count, RunSpecSchema.Fields.Select(field => field.Label).Distinct().Count());
        Assert.All(RunSpecSchema.Fields, field =>
        {
            Assert.StartsWith("--", field.Flag, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(field.Help), field.Name);
            Assert.False(string.IsNullOrWhiteSpace(field.Limits), field.Name);
        });
    }

    [Fact]
    public void EachFieldReadsAndWritesItsOwnProperty()
    {
        Assert.Empty(Changed.Validate());
        var defaults = new RunSpec();
        foreach (var field in RunSpecSchema.Fields)
        {
            Assert.NotEqual(field.Display(defaults), field.Display(Changed));
            var moved = Copy(field, from: Changed, into: defaults);
            Assert.All(RunSpecSchema.Fields, other =>
                Assert.Equal(other == field ? other.Display(Changed) : other.Display(defaults), other.Display(moved)));
        }
    }

    [Fact]
    public void ChoiceFields_ListTheirValuesAndTakeAnyCase()
    {
        var step = Assert.Single(RunSpecSchema.Fields, field => field.Name == "step");

        Assert.Equal(["Shared", "Alternating", "Reuse"], step.Choices);
        Assert.Equal(["Bce", "Hinge"], Assert.Single(RunSpecSchema.Fields, field => field.Name == "loss").Choices);
        Assert.Equal(StepKind.Alternating, step.WithChoice(new RunSpec(), "alternating").Step);
        Assert.All(RunSpecSchema.Fields.Where(field => field.Kind != RunSpecFieldKind.Choice), field => Assert.Empty(field.Choices));
    }

    [Fact]
    public void EveryValidationKey_NamesASchemaField()
    {
        var wrong = new RunSpec
        {
            Name = "",
            Tags = ["no spaces"],
            Notes = new string('x', RunSpec.MaxNotesLength + 1),
            Epochs = 0,
            BatchSize = 1,
            LearningRate = 0,
            Beta1 = 1,
            Beta2 = 1,
            NoiseDim = 0,
            Seed = -1,
            TrainSubset = 70_000,
            Step = (StepKind)7,
            CheckpointEvery = 0,
            EvaluateEvery = -1,
            EvaluationSamples = 1,
            Parent = new RunParent(Guid.NewGuid(), 0),
            MaxStepsPerEpoch = 0,
            Preset = "fast",
            DiscriminatorLearningRate = 0,
            Loss = (GanLoss)5,
            LearningRateSchedule = (LearningRateSchedule)5,
            LabelSmoothing = 0.9,
            DiscriminatorNorm = (DiscriminatorNorm)5,
            GeneratorEma = 1,
            Sampling = (SamplingMode)5,
            SampleKeep = 0,
            GeneratorTopK = 0,
            ConsistencyWeight = -1,
            LatentClusters = 1,
            LatentClusterOffset = 0,
            Precision = (Precision)5,
        };

        Assert.Equal(RunSpecSchema.Fields.Select(field => field.Name).Order(StringComparer.Ordinal), wrong.Validate().Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("epochs", "epochs")]
    [InlineData("parent.epoch", "parent")]
    [InlineData("body", null)]
    public void Find_TakesAValidationKeyOrAJsonPath(string key, string? field)
    {
        Assert.Equal(field, RunSpecSchema.Find(key)?.Name);
    }

    [Fact]
    public void Parent_RoundTripsThroughItsText()
    {
        var parent = new RunParent(Guid.NewGuid(), 15);

        Assert.True(RunParent.TryParse(parent.ToString(), out var read));
        Assert.Equal(parent, read);
        Assert.Equal($"{parent.RunId}:15", parent.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("15")]
    [InlineData("not-a-guid:15")]
    [InlineData("0193a5d2-6f3c-7b1e-9a4d-2c5e8f1b3a7d")]
    [InlineData("0193a5d2-6f3c-7b1e-9a4d-2c5e8f1b3a7d:")]
    [InlineData("0193a5d2-6f3c-7b1e-9a4d-2c5e8f1b3a7d:-1")]
    [InlineData("0193a5d2-6f3c-7b1e-9a4d-2c5e8f1b3a7d:1:2")]
    public void Parent_RejectsTextThatIsNotRunIdColonEpoch(string text)
    {
        Assert.False(RunParent.TryParse(text, out var parent));
        Assert.Null(parent);
    }

    private static RunSpec Copy(RunSpecField field, RunSpec from, RunSpec into) => field switch
    {
        RunSpecField<string?> text => text.With(into, text.Get(from)),
        RunSpecField<IReadOnlyList<string>> tags => tags.With(into, tags.Get(from)),
        RunSpecField<int> number => number.With(into, number.Get(from)),
        RunSpecField<int?> number => number.With(into, number.Get(from)),
        RunSpecField<long> number => number.With(into, number.Get(from)),
        RunSpecField<double> number => number.With(into, number.Get(from)),
        RunSpecField<double?> number => number.With(into, number.Get(from)),
        RunSpecField<StepKind> step => step.With(into, step.Get(from)),
        RunSpecField<GanLoss> loss => loss.With(into, loss.Get(from)),
        RunSpecField<LearningRateSchedule> schedule => schedule.With(into, schedule.Get(from)),
        RunSpecField<DiscriminatorNorm> norm => norm.With(into, norm.Get(from)),
        RunSpecField<SamplingMode> sampling => sampling.With(into, sampling.Get(from)),
        RunSpecField<Precision> precision => precision.With(into, precision.Get(from)),
        RunSpecField<RunParent?> parent => parent.With(into, parent.Get(from)),
        _ => throw new InvalidOperationException($"No copy for {field.Name}."),
    };
}
