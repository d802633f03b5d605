using System.Text.Json;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using DigitGan.Shared.Sweeps;
using Xunit;

namespace DigitGan.Shared.Tests.Sweeps;

public sealed class SweepExpansionTests
{
    private static readonly RunSpec Tiny = new() { Epochs = 4, BatchSize = 32, TrainSubset = 256, EvaluationSamples = 100, Tags = ["base"] };

    private static SweepSpec Parse(string json) => JsonSerializer.Deserialize<SweepSpec>(json, ArtifactJson.Options)!;

    private static SweepAxis Grid(string field, params object[] values)
        => new() { Field = field, Values = [.. values.Select(v => JsonSerializer.SerializeToElement(v, ArtifactJson.Options))] };

    [Fact]
    public void A_grid_is_the_cross_product_of_its_axes_the_last_axis_varying_fastest_with_the_values_set_by_field_name()
    {
        var sweep = new SweepSpec { Name = "lr", Base = Tiny, Axes = [Grid("learningRate", 1e-4, 2e-4), Grid("seed", 1, 2, 3), Grid("loss", "Hinge")] };
        var id = Guid.CreateVersion7();

        var trials = SweepExpansion.Expand(sweep, id);

        Assert.Equal(6, trials.Count);
        Assert.Equal([(1e-4, 1L), (1e-4, 2L), (1e-4, 3L), (2e-4, 1L), (2e-4, 2L), (2e-4, 3L)], trials.Select(t => (t.Spec.LearningRate, t.Spec.Seed)));
        Assert.All(trials, t => Assert.Equal(GanLoss.Hinge, t.Spec.Loss));
        Assert.All(trials, t => Assert.Equal(4, t.Spec.Epochs));
        Assert.Equal("lr-01", trials[0].Spec.Name);
        Assert.Equal(["base", SweepLayout.Tag(id)], trials[0].Spec.Tags);
        Assert.Equal("0.0002", trials[3].Values["learningRate"]);
        Assert.Equal("3", trials[5].Values["seed"]);
        Assert.Equal(Enumerable.Range(0, 6), trials.Select(t => t.Index));
        Assert.Equal(6, trials.Select(t => t.RunId).Distinct().Count());
        Assert.All(trials, t => Assert.Empty(t.Spec.Validate()));
    }

    [Fact]
    public void Trial_run_ids_are_fixed_by_the_sweep_id_and_index_and_keep_the_creation_time()
    {
        var id = Guid.CreateVersion7(DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture));
        var first = SweepLayout.TrialRunId(id, 0);

        Assert.Equal(first, SweepLayout.TrialRunId(id, 0));
        Assert.NotEqual(first, SweepLayout.TrialRunId(id, 1));
        Assert.Equal(id.ToString("N")[..12], SweepLayout.TrialRunId(id, 63).ToString("N")[..12]);
        Assert.Equal(7, SweepLayout.TrialRunId(id, 63).Version);
        Assert.Equal(DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture), RunManifest.Damaged(first, "x").CreatedAt);
    }

    [Fact]
    public void Random_axes_draw_trials_from_the_sweep_seed_within_their_ranges()
    {
        var sweep = new SweepSpec
        {
            Base = Tiny,
            Trials = 20,
            Seed = 42,
            Axes = [new SweepAxis { Field = "learningRate", Kind = SweepAxisKind.LogUniform, Min = 1e-5, Max = 1e-3 }, new SweepAxis { Field = "seed", Kind = SweepAxisKind.Uniform, Min = 0, Max = 1000 }, Grid("beta1", 0.5, 0.9)],
        };

        var trials = SweepExpansion.Expand(sweep, Guid.Empty);
        var again = SweepExpansion.Expand(sweep, Guid.Empty);
        var otherSeed = SweepExpansion.Expand(sweep with { Seed = 43 }, Guid.Empty);

        Assert.Equal(40, trials.Count);
        Assert.All(trials, t => Assert.InRange(t.Spec.LearningRate, 1e-5, 1e-3));
        Assert.All(trials, t => Assert.InRange(t.Spec.Seed, 0, 1000));
        Assert.Equal(trials.Select(t => JsonSerializer.Serialize(t.Spec, ArtifactJson.Options)), again.Select(t => JsonSerializer.Serialize(t.Spec, ArtifactJson.Options)));
        Assert.NotEqual(trials.Select(t => t.Spec.LearningRate), otherSeed.Select(t => t.Spec.LearningRate));

        // Each grid value meets the same 20 draws; log-uniform draws spread over both decades.
        Assert.Equal(trials.Take(20).Select(t => t.Spec.LearningRate), trials.Skip(20).Select(t => t.Spec.LearningRate));
        Assert.Contains(trials, t => t.Spec.LearningRate < 1e-4);
        Assert.Contains(trials, t => t.Spec.LearningRate > 1e-4);
    }

    [Theory]
    [InlineData("""{"base":{"epochs":2},"axes":[{"field":"nope","values":[1]}]}""", "axes[0].field", "not a field a sweep can vary")]
    [InlineData("""{"base":{"epochs":2},"axes":[{"field":"name","values":["a"]}]}""", "axes[0].field", "not a field a sweep can vary")]
    [InlineData("""{"base":{"epochs":2},"axes":[{"field":"seed","values":[1]},{"field":"Seed","values":[2]}]}""", "axes[1].field", "already an axis")]
    [InlineData("""{"base":{"epochs":2},"axes":[{"field":"learningRate","values":[]}]}""", "axes[0].values", "at least one value")]
    [InlineData("""{"base":{"epochs":2},"axes":[{"field":"learningRate","values":[1e-4, 5]}]}""", "axes[0].values[1]", "Learning rate must be")]
    [InlineData("""{"base":{"epochs":2},"axes":[{"field":"loss","values":["Square"]}]}""", "axes[0].values[0]", "one of Bce, Hinge")]
    [InlineData("""{"base":{"epochs":2},"axes":[{"field":"learningRate","kind":"LogUniform","min":0,"max":1e-3}],"trials":4}""", "axes[0].min", "min above 0")]
    [InlineData("""{"base":{"epochs":2},"axes":[{"field":"learningRate","kind":"Uniform","min":1e-3,"max":1e-4}],"trials":4}""", "axes[0].max", "above min")]
    [InlineData("""{"base":{"epochs":2},"axes":[{"field":"learningRate","kind":"Uniform"}],"trials":4}""", "axes[0].min", "needs min and max")]
    [InlineData("""{"base":{"epochs":2},"axes":[{"field":"loss","kind":"Uniform","min":0,"max":1}],"trials":4}""", "axes[0].kind", "is a choice")]
    [InlineData("""{"base":{"epochs":2},"axes":[{"field":"seed","values":[1,2]}],"trials":3}""", "trials", "has none")]
    [InlineData("""{"base":{"epochs":0},"axes":[{"field":"seed","values":[1]}]}""", "base.epochs", "Epochs must be")]
    [InlineData("""{"base":{"epochs":2},"axes":[]}""", "axes", "at least one axis")]
    [InlineData("""{"base":{"epochs":2},"axes":[{"field":"seed","values":[1,2,3,4,5,6,7,8,9]},{"field":"beta1","values":[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]}]}""", "axes", "72 runs")]
    [InlineData("""{"base":{"epochs":2},"axes":[{"field":"learningRate","kind":"Uniform","min":1e-4,"max":1e-3}],"trials":65}""", "trials", "at most 64")]
    [InlineData("""{"base":{"epochs":2},"axes":[{"field":"seed","values":[1]},{"field":"beta1","values":[0.5]},{"field":"beta2","values":[0.5]},{"field":"noiseDim","values":[5]},{"field":"batchSize","values":[32]},{"field":"loss","values":["Bce"]},{"field":"step","values":["Shared"]}]}""", "axes", "at most 6 axes")]
    [InlineData("""{"base":{"epochs":4},"axes":[{"field":"epochs","values":[2]}],"asha":{}}""", "axes[0].field", "budget")]
    [InlineData("""{"base":{"epochs":4},"axes":[{"field":"seed","values":[1]}],"asha":{"reductionFactor":1}}""", "asha.reductionFactor", "between 2 and 10")]
    [InlineData("""{"base":{"epochs":4},"axes":[{"field":"seed","values":[1]}],"asha":{"minEpochs":4}}""", "asha.minEpochs", "below the base spec's epochs (4)")]
    [InlineData("""{"base":{"epochs":4,"evaluateEvery":0},"axes":[{"field":"seed","values":[1]}],"asha":{}}""", "base.evaluateEvery", "1 or more")]
    [InlineData("""{"base":{"epochs":9,"evaluateEvery":2},"axes":[{"field":"seed","values":[1]}],"asha":{"reductionFactor":3,"minEpochs":1}}""", "base.evaluateEvery", "rungs 1, 3")]
    [InlineData("""{"name":"","base":{"epochs":2},"axes":[{"field":"seed","values":[1]}]}""", "name", "1-60 characters")]
    public void A_bad_sweep_spec_names_the_field_at_fault(string json, string field, string message)
    {
        var errors = Parse(json).Validate();

        Assert.True(errors.ContainsKey(field), $"expected an error on {field}, got: {string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))}");
        Assert.Contains(message, string.Join(" ", errors[field]), StringComparison.Ordinal);
        Assert.Throws<SweepSpecException>(() => SweepExpansion.Expand(Parse(json), Guid.Empty));
    }

    [Fact]
    public void Sixty_four_runs_are_allowed_and_the_sweep_tag_fits_the_run_tags()
    {
        var sweep = new SweepSpec { Base = Tiny, Axes = [Grid("seed", [.. Enumerable.Range(0, 8).Cast<object>()]), Grid("beta1", 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)] };

        Assert.Empty(sweep.Validate());
        Assert.Equal(64, SweepExpansion.Expand(sweep, Guid.CreateVersion7()).Count);
        Assert.True(SweepLayout.Tag(Guid.CreateVersion7()).Length <= RunSpec.MaxTagLength);
    }
}
