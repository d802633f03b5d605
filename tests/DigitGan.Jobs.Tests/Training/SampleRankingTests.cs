using DigitGan.Jobs.Model;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Runs;
using Xunit;
using static DigitGan.Jobs.Tests.Training.TrainerSteps;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Tests.Training;

/// <summary>Discriminator-ranked sampling (RunSpec.SampleKeep): which digits it keeps, and that training never notices it.</summary>
public sealed class SampleRankingTests
{
    private static readonly RunSpec Ranked = new()
    {
        BatchSize = 32,
        Seed = 3,
        LearningRate = 2e-4,
        Beta1 = 0.5,
        GeneratorEma = 0.99,
        DiscriminatorNorm = DiscriminatorNorm.Spectral,
        Loss = GanLoss.Hinge,
        Sampling = SamplingMode.Batch,
        Step = StepKind.Alternating,
        SampleKeep = 0.5,
    };

    [Theory]
    [InlineData(5_000, 1.0, 5_000)]
    [InlineData(5_000, 0.8, 6_250)]
    [InlineData(16, 0.8, 20)]
    [InlineData(16, 0.3, 54)]
    [InlineData(10, 0.25, 40)]
    public void Enough_digits_are_drawn_to_keep_the_count(long count, double keep, long drawn)
        => Assert.Equal(drawn, SampleRanking.Candidates(count, keep));

    [Fact]
    public void The_tutorial_spec_keeps_every_digit_and_draws_no_more_noise()
    {
        using var trainer = new DcganTrainer(new RunSpec { Seed = 1 }, CPU);
        Assert.Null(trainer.Ranking);
        using var noise = SampleGrids.FixedNoise(new RunSpec());
        Assert.Equal(16, noise.shape[0]);
        using var ranked = SampleGrids.FixedNoise(new RunSpec { SampleKeep = 0.8 });
        Assert.Equal(20, ranked.shape[0]);
    }

    [Fact]
    public void Ranking_keeps_the_digits_the_discriminator_scores_highest_in_the_order_drawn_and_changes_no_training_state()
    {
        using var trainer = new DcganTrainer(Ranked, CPU);
        using var real = Batch(Ranked, 1);
        Steps(trainer, real, 2);
        using var images = Batch(Ranked with { BatchSize = 40 }, 2);
        var discriminatorBefore = Snapshot(trainer.Discriminator);
        using var randomBefore = trainer.Random.get_state();
        Assert.True(trainer.Discriminator.training);

        using var best = trainer.Ranking!.Best(images, 10);

        Assert.True(trainer.Discriminator.training, "the discriminator is back in training mode");
        Assert.Equal(discriminatorBefore, Snapshot(trainer.Discriminator)); // spectral vectors not moved
        using (var randomAfter = trainer.Random.get_state())
        {
            Assert.True(Same(randomBefore, randomAfter), "no dropout masks drawn from the run's generator");
        }

        float[] logits;
        trainer.Discriminator.eval();
        using (no_grad())
        {
            logits = trainer.Discriminator.forward(images).flatten().data<float>().ToArray();
        }

        trainer.Discriminator.train();
        var expected = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).Take(10).Order().Select(i => (long)i).ToArray();
        Assert.Equal(expected, best.data<long>().ToArray());

        using var kept = trainer.Ranking.Select(images, 10);
        using var index = tensor(expected);
        Assert.True(Same(kept, images.index_select(0, index)));
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Ranking.Best(images, 41));
    }

    [Fact]
    public void A_ranked_run_trains_bit_for_bit_like_an_unranked_one()
    {
        using var plain = new DcganTrainer(Ranked with { SampleKeep = 1 }, CPU);
        using var ranked = new DcganTrainer(Ranked, CPU);
        using var real = Batch(Ranked, 4);
        using var images = Batch(Ranked with { BatchSize = 64 }, 5);
        for (var i = 0; i < 3; i++)
        {
            plain.Step(real);
            ranked.Step(real);
            ranked.Ranking!.Best(images, 32).Dispose(); // as an evaluation or a grid between epochs does
        }

        Assert.Equal(Snapshot(plain.Generator), Snapshot(ranked.Generator));
        Assert.Equal(Snapshot(plain.Discriminator), Snapshot(ranked.Discriminator));
        Assert.Equal(Snapshot(plain.Average!.Generator), Snapshot(ranked.Average!.Generator));
    }

    [Fact]
    public void A_checkpoint_ranks_with_its_own_discriminator_and_the_keep_can_be_overridden()
    {
        using var trainer = new DcganTrainer(Ranked, CPU);
        using var real = Batch(Ranked, 6);
        Steps(trainer, real, 2);
        using var images = Batch(Ranked with { BatchSize = 30 }, 7);
        var bytes = Checkpoint.Serialize(trainer, new CheckpointHeader { Spec = Ranked, Epoch = 1 });

        using (var digits = Checkpoint.LoadDigits(bytes, "ranked.ckpt"))
        {
            Assert.Equal(0.5, digits.Ranking!.Keep);
            using var fromCheckpoint = digits.Ranking.Best(images, 15);
            using var fromTrainer = trainer.Ranking!.Best(images, 15);
            Assert.True(Same(fromCheckpoint, fromTrainer));
            Assert.Equal(Snapshot(trainer.Average!.Generator), Snapshot(digits.Generator));
        }

        using (var all = Checkpoint.LoadDigits(bytes, "ranked.ckpt", sampleKeep: 1))
        {
            Assert.Null(all.Ranking);
            Assert.Equal(1, all.Header.Spec.SampleKeep);
        }

        var unranked = Checkpoint.Serialize(trainer, new CheckpointHeader { Spec = Ranked with { SampleKeep = 1 }, Epoch = 1 });
        using var overridden = Checkpoint.LoadDigits(unranked, "plain.ckpt", sampleKeep: 0.8);
        Assert.Equal(0.8, overridden.Header.Spec.SampleKeep);
        Assert.NotNull(overridden.Ranking);
    }

    [Fact]
    public void A_ranked_grid_holds_the_best_of_its_candidates_in_the_order_drawn()
    {
        using var trainer = new DcganTrainer(Ranked with { SampleKeep = 0.8 }, CPU);
        using var real = Batch(Ranked, 8);
        Steps(trainer, real, 2);
        using var noise = SampleGrids.FixedNoise(trainer.Spec);
        var all = trainer.SamplingGenerator.Render(noise);
        var kept = SampleGrids.Render(trainer.SamplingGenerator, trainer.Ranking, noise, 16);
        Assert.Equal(16 * 28 * 28, kept.Length);

        using var images = tensor(all).view(-1, 1, 28, 28);
        using var best = trainer.Ranking!.Best(images, 16);
        var expected = best.data<long>().ToArray().SelectMany(i => all.Skip((int)i * 28 * 28).Take(28 * 28)).ToArray();
        Assert.Equal(expected, kept);
        Assert.Equal(all, SampleGrids.Render(trainer.SamplingGenerator, null, noise, 20));
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    /// <summary>Every value of a module's state (weights and buffers), in order.</summary>
    private static float[] Snapshot(TorchSharp.torch.nn.Module module)
        => [.. module.state_dict().SelectMany(p => p.Value.cpu().to(ScalarType.Float32).data<float>().ToArray())];
}
