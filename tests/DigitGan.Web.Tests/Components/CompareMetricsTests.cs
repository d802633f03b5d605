using DigitGan.Shared.Runs;
using DigitGan.Web.Components.Runs;
using Xunit;

namespace DigitGan.Web.Tests.Components;

public sealed class CompareMetricsTests
{
    private static (RunManifest, RunHistory) Run(string name, double[] fids, int samples = 10_000, string? classifier = "abc123abc123", double sampleKeep = 1)
    {
        var evaluations = fids.Select((fid, i) => new EvaluationMetrics { Epoch = i + 1, Fid = fid, InceptionScore = 10 / fid, Samples = samples, ClassesAtLeast5Percent = 9, Classifier = classifier }).ToList();
        var manifest = new RunManifest
        {
            RunId = Guid.NewGuid(),
            Spec = new RunSpec { Name = name, SampleKeep = sampleKeep },
            Progress = new RunProgress { Epoch = fids.Length, TotalEpochs = fids.Length },
            LatestEvaluation = evaluations.LastOrDefault(),
            BestFid = fids.Length > 0 ? fids.Min() : null,
        };
        return (manifest, new RunHistory { Evaluations = evaluations });
    }

    [Fact]
    public void Rows_give_final_best_and_slider_epoch_values_and_say_which_differ()
    {
        var rows = CompareMetrics.Rows([Run("a", [40, 20, 30]), Run("b", [50, 45, 25])], epoch: 2);
        var byName = rows.ToDictionary(r => r.Metric);
        Assert.Equal(["30.0", "25.0"], byName["Final FID"].Values);
        Assert.Equal(["20.0", "25.0"], byName["Best FID"].Values);
        Assert.Equal(["20.0", "45.0"], byName["FID at epoch 2"].Values);
        Assert.Equal(["0.50", "0.40"], byName["Best IS"].Values);
        Assert.True(byName["Final FID"].Differs);
        Assert.False(byName["Evaluation samples"].Differs);
        Assert.False(byName["Epochs trained"].Differs);
    }

    [Fact]
    public void Warns_when_sample_counts_classifiers_or_ranking_differ_and_not_otherwise()
    {
        Assert.Empty(CompareMetrics.Warnings([Run("a", [40]), Run("b", [50]), Run("none", [])]));

        var counts = Assert.Single(CompareMetrics.Warnings([Run("a", [40], samples: 10_000), Run("b", [50], samples: 300)]));
        Assert.Contains("different sample counts (a: 10,000; b: 300)", counts, StringComparison.Ordinal);

        var classifiers = Assert.Single(CompareMetrics.Warnings([Run("a", [40], classifier: "111111111111"), Run("b", [50], classifier: "222222222222"), Run("old", [60], classifier: null)]));
        Assert.Contains("different classifiers (a: 111111111111; b: 222222222222)", classifiers, StringComparison.Ordinal);

        var ranking = Assert.Single(CompareMetrics.Warnings([Run("a", [40], sampleKeep: 0.8), Run("b", [50]), Run("none", [], sampleKeep: 0.5)]));
        Assert.Contains("(sampleKeep a: 0.8; b: 1)", ranking, StringComparison.Ordinal);
        Assert.Contains("evaluate --sample-keep", ranking, StringComparison.Ordinal);
    }
}
