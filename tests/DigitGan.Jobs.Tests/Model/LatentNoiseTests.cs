using DigitGan.Jobs.Evaluation;
using DigitGan.Jobs.Model;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Runs;
using Xunit;
using static DigitGan.Jobs.Tests.Training.TrainerSteps;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Tests.Model;

/// <summary>The generator's latent prior (RunSpec.LatentClusters): the tutorial's normal noise, or a mixture of separated Gaussians.</summary>
public sealed class LatentNoiseTests
{
    [Fact]
    public void Without_clusters_the_noise_is_the_tutorials_standard_normal_draw()
    {
        using var a = new TorchSharp.torch.Generator(7);
        using var b = new TorchSharp.torch.Generator(7);
        using var prior = LatentNoise.Draw(100, LatentPrior.Standard, 300, a);
        using var plain = randn([300, 100], generator: b);
        Assert.True(prior.eq(plain).all().item<bool>());
    }

    [Fact]
    public void With_clusters_each_vector_is_normal_noise_moved_onto_one_of_the_first_axes()
    {
        const int clusters = 10;
        const int count = 4_000;
        using var a = new TorchSharp.torch.Generator(7);
        using var b = new TorchSharp.torch.Generator(7);
        using var prior = LatentNoise.Draw(100, new LatentPrior(clusters, RunSpec.DefaultLatentClusterOffset), count, a);
        using var plain = randn([count, 100], generator: b);
        using var offset = prior - plain;

        // Every row is shifted by exactly LatentClusterOffset along one axis below `clusters`, and by nothing elsewhere.
        using var shifted = offset.abs().gt(0);
        Assert.True(shifted.sum(1).eq(1).all().item<bool>());
        Assert.True(shifted.narrow(1, clusters, 100 - clusters).any().item<bool>() is false);
        Assert.Equal(RunSpec.DefaultLatentClusterOffset, offset.max().item<float>(), 4);
        Assert.Equal(RunSpec.DefaultLatentClusterOffset, offset.sum(1).min().item<float>(), 4);

        // The clusters are equally likely: 400 each expected, each within 5 standard deviations of it.
        var perCluster = shifted.narrow(1, 0, clusters).sum(0, type: ScalarType.Int64).data<long>().ToArray();
        Assert.All(perCluster, n => Assert.InRange(n, 300, 500));
    }

    [Fact]
    public void The_labelled_draw_is_the_same_noise_with_the_axis_each_vector_was_moved_along()
    {
        using var a = new TorchSharp.torch.Generator(11);
        using var b = new TorchSharp.torch.Generator(11);
        using var c = new TorchSharp.torch.Generator(11);
        using var prior = LatentNoise.Draw(30, new LatentPrior(6, 2.5), 500, a);
        var (labelled, cluster) = LatentNoise.DrawLabelled(30, new LatentPrior(6, 2.5), 500, b);
        using var plain = randn([500, 30], generator: c);
        using (labelled)
        using (cluster)
        {
            Assert.True(labelled.eq(prior).all().item<bool>());
            using var moved = (labelled - plain).argmax(1);
            Assert.True(moved.eq(cluster!).all().item<bool>());
            Assert.Equal(2.5, (labelled - plain).max().item<float>(), 4);
            Assert.InRange(cluster!.min().item<long>(), 0, 5);
            Assert.InRange(cluster!.max().item<long>(), 0, 5);
        }

        using var d = new TorchSharp.torch.Generator(11);
        var (normal, none) = LatentNoise.DrawLabelled(30, LatentPrior.Standard, 500, d);
        using (normal)
        {
            Assert.Null(none);
        }
    }

    [Fact]
    public void Training_grids_evaluations_and_checkpoints_all_draw_from_the_runs_prior()
    {
        var spec = new RunSpec { BatchSize = 16, Seed = 4, NoiseDim = 20, LatentClusters = 5, LatentClusterOffset = 6, GeneratorEma = 0.99, Sampling = SamplingMode.Batch, Step = StepKind.Alternating, EvaluationSamples = 512 };
        var standard = spec with { LatentClusters = 0 };

        // The same stream's normal draw, each vector moved by the spec's offset (6) along one of the first 5 axes.
        static void IsClustered(Tensor clustered, Tensor normal)
        {
            using var offset = clustered - normal;
            Assert.True(offset.abs().gt(0).sum(1).eq(1).all().item<bool>());
            Assert.True(offset.narrow(1, 5, 15).eq(0).all().item<bool>());
            Assert.Equal(6, offset.sum(1).min().item<float>(), 4);
            Assert.Equal(6, offset.max().item<float>(), 4);
        }

        using (var clustered = QualityEvaluator.EvaluationNoise(spec))
        using (var normal = QualityEvaluator.EvaluationNoise(standard))
        {
            IsClustered(clustered, normal);
        }

        using (var clustered = SampleGrids.FixedNoise(spec))
        using (var normal = SampleGrids.FixedNoise(standard))
        {
            IsClustered(clustered, normal);
        }

        using var trainer = new DcganTrainer(spec, CPU);
        using (var standardTrainer = new DcganTrainer(standard, CPU))
        using (var clustered = trainer.Noise(512))
        using (var normal = standardTrainer.Noise(512))
        {
            IsClustered(clustered, normal);
        }

        Assert.Equal(new LatentPrior(5, 6), trainer.Generator.Prior);
        Assert.Equal(new LatentPrior(5, 6), trainer.Average!.Generator.Prior);
        using var real = Batch(spec, 3);
        Steps(trainer, real, 2);
        var (_, sampler) = Checkpoint.LoadGenerator(Checkpoint.Serialize(trainer, new CheckpointHeader { Spec = spec, Epoch = 1 }), "x.ckpt");
        using (sampler)
        {
            Assert.Equal(new LatentPrior(5, 6), sampler.Prior);
        }
    }

    [Fact]
    public void A_clustered_run_resumes_bit_exactly()
    {
        var spec = new RunSpec { BatchSize = 16, Seed = 8, LatentClusters = 10, Step = StepKind.Alternating };
        using var real = Batch(spec, 2);
        using var first = new DcganTrainer(spec, CPU);
        Steps(first, real, 2);
        var bytes = Checkpoint.Serialize(first, new CheckpointHeader { Spec = spec, Epoch = 1, GlobalStep = 2 });
        using var resumed = new DcganTrainer(spec, CPU);
        Checkpoint.Restore(resumed, bytes, "x.ckpt");
        Steps(first, real, 2);
        Steps(resumed, real, 2);
        Assert.True(SameState(first.Generator, resumed.Generator));
        Assert.True(SameState(first.Discriminator, resumed.Discriminator));
    }
}
