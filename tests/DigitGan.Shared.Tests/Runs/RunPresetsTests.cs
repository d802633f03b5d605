using DigitGan.Shared.Runs;
using DigitGan.Testing;
using Xunit;

namespace DigitGan.Shared.Tests.Runs;

public sealed class RunPresetsTests
{
    [Fact]
    public void Every_preset_is_valid_names_itself_and_keeps_the_tutorials_networks()
    {
        Assert.Equal(["first-look", "improved", "faithful"], RunPresets.Names);
        Assert.All(RunPresets.Names, name =>
        {
            var spec = RunPresets.Get(name);
            Assert.Empty(spec.Validate());
            Assert.Equal(name, spec.Preset);
            Assert.Equal(new RunSpec().NoiseDim, spec.NoiseDim); // the networks are the tutorial's
            Assert.False(string.IsNullOrWhiteSpace(RunPresets.Describe(name)));
        });
    }

    [Fact]
    public void Faithful_is_the_tutorial_defaults_exactly()
    {
        var faithful = RunPresets.Get(RunPresets.Faithful);
        Assert.All(RunSpecSchema.Fields.Where(f => f.Name != "preset"), field => Assert.Equal(field.Display(new RunSpec()), field.Display(faithful)));
    }

    [Fact]
    public void The_presets_are_the_documented_specs()
    {
        var first = RunPresets.Get(RunPresets.FirstLook);
        Assert.Equal((1, 16, (int?)null, 2e-4, 0.5, (double?)4e-4, StepKind.Reuse, 0.99, SamplingMode.Batch, Precision.Auto),
            (first.Epochs, first.BatchSize, first.TrainSubset, first.LearningRate, first.Beta1, first.DiscriminatorLearningRate, first.Step, first.GeneratorEma, first.Sampling, first.Precision));
        var improved = RunPresets.Get(RunPresets.Improved);
        Assert.Equal((10, 16, (int?)null, 3e-4, 0.5, (double?)6e-4, StepKind.Alternating, 0.999, SamplingMode.Batch, Precision.Auto),
            (improved.Epochs, improved.BatchSize, improved.TrainSubset, improved.LearningRate, improved.Beta1, improved.DiscriminatorLearningRate, improved.Step, improved.GeneratorEma, improved.Sampling, improved.Precision));
        Assert.Equal((GanLoss.Hinge, DiscriminatorNorm.Spectral, 0.0), (improved.Loss, improved.DiscriminatorNorm, improved.LabelSmoothing));
        Assert.Equal((0.8, 1.0, 1.0), (first.SampleKeep, improved.SampleKeep, new RunSpec().SampleKeep));
        Assert.Equal((0, 10, 0), (first.LatentClusters, improved.LatentClusters, new RunSpec().LatentClusters));
        Assert.Equal((RunSpec.DefaultLatentClusterOffset, 6.0, 4.0), (first.LatentClusterOffset, improved.LatentClusterOffset, new RunSpec().LatentClusterOffset));
        Assert.Equal((1.0, 1.0), (first.GeneratorTopK, improved.GeneratorTopK));

        // docs/run-spec.md's presets table (generated from the schema) shows each preset's value of every field it changes.
        var docs = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "run-spec.md"));
        var table = docs[docs.IndexOf("## Presets", StringComparison.Ordinal)..].Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)).ToList();
        var header = table[0].Split('|', StringSplitOptions.TrimEntries);
        foreach (var field in RunSpecSchema.Fields.Where(f => f.Name != "preset"))
        {
            var row = table.FirstOrDefault(l => l.StartsWith($"| {field.Label} |", StringComparison.Ordinal))?.Split('|', StringSplitOptions.TrimEntries);
            foreach (var name in new[] { RunPresets.FirstLook, RunPresets.Improved })
            {
                var value = field.Display(RunPresets.Get(name));
                if (row is null)
                {
                    Assert.Equal(field.Display(new RunSpec()), value); // not in the table: the preset keeps the default
                }
                else
                {
                    Assert.Equal(value.Length == 0 ? "none" : value, row[Array.IndexOf(header, name)]);
                }
            }
        }
        Assert.Contains("first-look", File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "presets.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_preset_is_refused_by_name()
    {
        Assert.Throws<ArgumentException>(() => RunPresets.Get("fast"));
        var errors = (new RunSpec { Preset = "fast" }).Validate();
        Assert.Contains("first-look, improved, faithful", Assert.Single(errors["preset"]), StringComparison.Ordinal);
    }
}
