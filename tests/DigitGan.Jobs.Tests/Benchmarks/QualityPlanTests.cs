using DigitGan.Jobs.Benchmarks;
using DigitGan.Shared.Runs;
using Xunit;

namespace DigitGan.Jobs.Tests.Benchmarks;

public sealed class QualityPlanTests
{
    [Fact]
    public void Every_plan_has_valid_variants_and_the_ablation_changes_one_thing_at_a_time()
    {
        Assert.All(QualityPlan.Names, name => Assert.All(QualityPlan.Get(name).Variants, v => Assert.Empty(v.Spec.Validate())));

        var ablation = QualityPlan.Get("ablation");
        var tutorial = ablation.Variants.Single(v => v.Name == "tutorial").Spec;
        Assert.Equal([1, 3, 5], ablation.ReportEpochs);
        Assert.All(ablation.Variants, v => Assert.Equal(RunPresets.Get(RunPresets.Improved).Precision, v.Spec.Precision)); // precision is not one of the differences
        foreach (var (name, spec) in ablation.Variants.Where(v => v.Name is not "tutorial" and not "improved" and not "dcgan-adam"))
        {
            var changed = RunSpecSchema.Fields.Where(f => f.Display(spec) != f.Display(tutorial)).Select(f => f.Name).ToList();
            Assert.True(changed.Count == 1, $"{name} changes {string.Join(", ", changed)}");
        }

        var improved = QualityPlan.Get("improved");
        Assert.Equal([0L, 1L, 2L], improved.Seeds);
        Assert.Equal(Enumerable.Range(1, 10), improved.ReportEpochs);
        Assert.Equal(RunPresets.Improved, improved.Variants.Single().Spec.Preset);
    }

    [Fact]
    public void The_report_lists_every_row_and_says_which_seeds_met_the_target()
    {
        var plan = QualityPlan.Get("improved");
        QualityRow Row(long seed, double inceptionScore, string classifier = "0d50102c200a") => new()
        {
            Variant = "improved", Seed = seed, Epoch = 10, RunId = Guid.NewGuid(), InceptionScore = inceptionScore, Fid = 1, FidFloor = 0.3,
            ClassesAtLeast5Percent = 10, Samples = 10_000, TrainingSeconds = 2_000, ImagesPerSecond = 300, Grid = $"grids/improved-seed{seed}-epoch10.png",
            Classifier = classifier,
        };

        var markdown = QualityExperiment.Markdown(plan, [Row(0, 9.3), Row(1, 8.996)], "test machine", "experiment --plan improved");
        Assert.Contains("| improved | 1 | 10 | 9.00 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| improved | 0 | 10 | 9.30 | 1.000 | 3.3 | 10 | 2000 | 300 |", markdown, StringComparison.Ordinal);
        Assert.Contains("Met by 1 of 2 seeds (seed 0: met, seed 1: not met: IS 8.996, FID / floor 3.3, 10 classes, 2000 s)", markdown, StringComparison.Ordinal);
        Assert.Contains("![improved epoch 10](grids/improved-seed1-epoch10.png)", markdown, StringComparison.Ordinal);
        Assert.Contains("Scored by classifier `0d50102c200a`.", markdown, StringComparison.Ordinal);

        var mixed = QualityExperiment.Markdown(plan, [Row(0, 9.3), Row(1, 8.996, "d55317fb5e36")], "test machine", "experiment --plan improved");
        Assert.Contains("Scored by 2 classifiers (`0d50102c200a`, `d55317fb5e36`): compare rows scored by the same one.", mixed, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_plan_is_refused_by_name()
        => Assert.Contains("ablation, first-look, improved", Assert.Throws<ArgumentException>(() => QualityPlan.Get("fast")).Message, StringComparison.Ordinal);
}
