using DigitGan.Jobs.Training;
using DigitGan.Shared.Runs;
using Xunit;
using static DigitGan.Jobs.Tests.Training.TrainerSteps;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Tests.Training;

/// <summary>Consistency regularisation of the discriminator (RunSpec.ConsistencyWeight) and the shifts it uses.</summary>
public sealed class ConsistencyRegularisationTests
{
    [Fact]
    public void A_shift_moves_each_digit_by_its_own_offset_of_at_most_two_pixels_and_fills_with_background()
    {
        // Each image is background with one lit pixel in the middle; after the shift it must still have exactly one.
        const int count = 200;
        using var images = full(count, 1, 28, 28, -1f);
        images[TensorIndex.Colon, 0, 14, 14] = tensor(1f);
        using var random = new TorchSharp.torch.Generator(3);
        using var moved = DigitShift.Shift(images, RunSpec.ConsistencyShift, random);

        Assert.Equal(images.shape, moved.shape);
        var pixels = moved.view(count, 28 * 28).data<float>().ToArray();
        var offsets = new HashSet<(int, int)>();
        for (var i = 0; i < count; i++)
        {
            var image = pixels.AsSpan(i * 28 * 28, 28 * 28).ToArray();
            Assert.Equal(1, image.Count(p => p == 1f));
            Assert.Equal((28 * 28) - 1, image.Count(p => p == -1f));
            var at = Array.IndexOf(image, 1f);
            var (dy, dx) = ((at / 28) - 14, (at % 28) - 14);
            Assert.InRange(dy, -RunSpec.ConsistencyShift, RunSpec.ConsistencyShift);
            Assert.InRange(dx, -RunSpec.ConsistencyShift, RunSpec.ConsistencyShift);
            offsets.Add((dy, dx));
        }

        Assert.Equal(25, offsets.Count); // every offset of the 5 x 5 occurs among 200 draws
    }

    [Fact]
    public void A_stroke_at_the_edge_is_cut_not_wrapped_to_the_other_side()
    {
        using var images = full(64, 1, 28, 28, -1f);
        images[TensorIndex.Colon, 0, TensorIndex.Colon, 0] = tensor(1f); // a vertical line on the left edge
        using var random = new TorchSharp.torch.Generator(5);
        using var moved = DigitShift.Shift(images, RunSpec.ConsistencyShift, random);
        using var right = moved[TensorIndex.Colon, 0, TensorIndex.Colon, TensorIndex.Slice(25, 28)];
        Assert.Equal(-1f, right.max().item<float>());
    }

    [Theory]
    [InlineData(StepKind.Shared)]
    [InlineData(StepKind.Alternating)]
    [InlineData(StepKind.Reuse)]
    public void The_penalty_makes_the_discriminator_score_shifted_digits_as_it_scores_them_unshifted(StepKind step)
    {
        var spec = new RunSpec { BatchSize = 32, Seed = 4, LearningRate = 2e-4, Beta1 = 0.5, Loss = GanLoss.Hinge, Step = step };
        using var real = Batch(spec, 8);
        double Inconsistency(double weight)
        {
            using var trainer = new DcganTrainer(spec with { ConsistencyWeight = weight }, CPU);
            Steps(trainer, real, 25);
            using var noGrad = no_grad();
            trainer.Discriminator.eval();
            using var random = new TorchSharp.torch.Generator(9);
            using var shifted = DigitShift.Shift(real, RunSpec.ConsistencyShift, random);
            using var change = trainer.Discriminator.forward(shifted).sub(trainer.Discriminator.forward(real));
            return change.square().mean().item<float>();
        }

        var free = Inconsistency(0);
        var regularised = Inconsistency(50);
        Assert.True(regularised < free / 4, $"mean squared change of D's score under a shift: {regularised} with the penalty, {free} without");
    }

    [Fact]
    public void The_shifts_come_from_the_runs_random_stream_so_a_regularised_run_repeats_itself()
    {
        var spec = new RunSpec { BatchSize = 16, Seed = 6, Step = StepKind.Alternating, ConsistencyWeight = 1 };
        using var real = Batch(spec, 2);
        using var plain = new DcganTrainer(spec with { ConsistencyWeight = 0 }, CPU);
        using var first = new DcganTrainer(spec, CPU);
        using var second = new DcganTrainer(spec, CPU);
        Steps(plain, real, 2);
        Steps(first, real, 2);
        Steps(second, real, 2);
        Assert.True(SameState(first.Discriminator, second.Discriminator));
        Assert.True(SameState(first.Generator, second.Generator));

        float[] Next(DcganTrainer trainer)
        {
            using var next = randn([4], generator: trainer.Random);
            return next.data<float>().ToArray();
        }

        Assert.NotEqual(Next(plain), Next(first)); // the shifts drew from the run's stream (saved in checkpoints)
    }
}
