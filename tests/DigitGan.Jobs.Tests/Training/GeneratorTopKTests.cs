using DigitGan.Jobs.Training;
using DigitGan.Shared.Runs;
using Xunit;
using static DigitGan.Jobs.Tests.Training.TrainerSteps;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Tests.Training;

/// <summary>Top-k training (RunSpec.GeneratorTopK): which generated digits give the generator a gradient.</summary>
public sealed class GeneratorTopKTests
{
    [Theory]
    [InlineData(GanLoss.Bce)]
    [InlineData(GanLoss.Hinge)]
    public void Only_the_digits_D_scores_highest_give_G_a_gradient(GanLoss loss)
    {
        using var logits = tensor(new float[] { 0.3f, -1.2f, 2.0f, 0.1f, -0.4f, 1.1f, -2.5f, 0.7f }).reshape(8, 1).requires_grad_();
        var spec = new RunSpec { Loss = loss, GeneratorTopK = 0.5 };
        using var value = DcganTrainer.GeneratorLoss(spec, logits);
        value.backward();
        var gradient = logits.grad!.data<float>().ToArray();

        // The four highest logits (2.0, 1.1, 0.7, 0.3) are counted; the rest get exactly zero.
        bool[] counted = [true, false, true, false, false, true, false, true];
        Assert.All(Enumerable.Range(0, 8), i => Assert.Equal(counted[i], gradient[i] != 0));

        // The loss is the plain loss of those four digits.
        using var top = tensor(new float[] { 2.0f, 1.1f, 0.7f, 0.3f }).reshape(4, 1);
        using var plain = DcganTrainer.GeneratorLoss(spec with { GeneratorTopK = 1 }, top);
        Assert.Equal(plain.item<float>(), value.item<float>(), 6);
    }

    [Theory]
    [InlineData(16, 0.5, 8)]
    [InlineData(16, 0.75, 12)]
    [InlineData(16, 0.25, 4)]
    [InlineData(10, 0.25, 3)]
    [InlineData(2, 0.25, 1)]
    [InlineData(256, 1.0, 256)]
    public void K_is_the_share_of_the_batch_rounded_and_at_least_one(long batch, double share, long k)
        => Assert.Equal(k, new RunSpec { GeneratorTopK = share }.GeneratorTopKCount(batch));

    [Theory]
    [InlineData(StepKind.Shared)]
    [InlineData(StepKind.Alternating)]
    [InlineData(StepKind.Reuse)]
    public void It_changes_the_generators_update_and_nothing_else(StepKind step)
    {
        var spec = new RunSpec { BatchSize = 16, Seed = 5, LearningRate = 2e-4, Beta1 = 0.5, Step = step };
        using var real = Batch(spec, 9);
        using var all = new DcganTrainer(spec, CPU);
        using var topK = new DcganTrainer(spec with { GeneratorTopK = 0.5 }, CPU);
        var allStep = all.Step(real);
        var topKStep = topK.Step(real);

        // D learns from the whole batch either way: the same first update, bit for bit.
        Assert.True(SameState(all.Discriminator, topK.Discriminator));
        Assert.Equal(allStep.DLoss, topKStep.DLoss);
        Assert.False(SameState(all.Generator, topK.Generator), "G learnt from half the batch");
        Assert.True(topK.WeightsAreFinite());
    }
}
