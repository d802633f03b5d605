using DigitGan.Jobs.Training;
using DigitGan.Shared.Runs;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Tests.Training;

/// <summary>bf16 training against fp32 on the same batch, and checkpoints that stay float32 across precisions.</summary>
public sealed class MixedPrecisionTests
{
    // The stated tolerances of one bf16 step against the fp32 step on the same weights, batch, noise and dropout
    // masks: each loss within 1% (relative), and each parameter's gradient within 15% of its fp32 norm (relative
    // L2 error) and pointing the same way (cosine >= 0.99). bfloat16 keeps 8 significant bits (a rounding of up
    // to 0.4% per value); the products accumulate in float32, but every activation and backpropagated gradient
    // between layers is rounded, and the errors add up towards the first layers. Measured at batch 64: gradient
    // errors 0.1-1% in D's last layer, 2-6% in the convolutions, 9.6% in G's first dense
    // layer (the deepest), cosines 0.995 or more. Minibatch noise in the gradients is far larger.
    private const double LossTolerance = 0.01;
    private const double GradientErrorTolerance = 0.15;
    private const double GradientCosineFloor = 0.99;

    [Theory]
    [InlineData(StepKind.Shared)]
    [InlineData(StepKind.Alternating)]
    public void A_bf16_step_gives_losses_and_gradients_within_the_stated_tolerance_of_fp32(StepKind step)
    {
        var spec = new RunSpec { BatchSize = 64, Seed = 5, Step = step };
        using var real = Batch(spec.BatchSize, 9);
        using var fp32 = new DcganTrainer(spec, CPU);
        using var bf16 = new DcganTrainer(spec with { Precision = Precision.Bf16 }, CPU);
        Assert.Equal((ScalarType.Float32, ScalarType.BFloat16), (fp32.ComputeType, bf16.ComputeType));

        var a = fp32.Step(real);
        var b = bf16.Step(real);
        Assert.True(Math.Abs(a.DLoss - b.DLoss) <= LossTolerance * Math.Abs(a.DLoss), $"D loss {b.DLoss} vs {a.DLoss}");
        Assert.True(Math.Abs(a.GLoss - b.GLoss) <= LossTolerance * Math.Abs(a.GLoss), $"G loss {b.GLoss} vs {a.GLoss}");

        var report = new List<string>();
        var pairs = fp32.Generator.named_parameters().Concat(fp32.Discriminator.named_parameters())
            .Zip(bf16.Generator.named_parameters().Concat(bf16.Discriminator.named_parameters()));
        foreach (var ((name, reference), (_, mixed)) in pairs)
        {
            using var scope = NewDisposeScope();
            var (g32, g16) = (reference.grad!, mixed.grad!);
            Assert.Equal(ScalarType.Float32, mixed.dtype);
            Assert.Equal(ScalarType.Float32, g16.dtype); // master weights and their gradients stay float32
            var error = (g16 - g32).norm().item<float>() / g32.norm().item<float>();
            var cosine = (g16 * g32).sum().item<float>() / (g16.norm().item<float>() * g32.norm().item<float>());
            if (error > GradientErrorTolerance || cosine < GradientCosineFloor)
            {
                report.Add($"{name}: relative error {error:F4}, cosine {cosine:F5}");
            }
        }

        Assert.True(report.Count == 0, string.Join("; ", report));
    }

    [Fact]
    public void Checkpoints_stay_float32_and_a_run_resumes_in_either_precision()
    {
        var spec = new RunSpec { BatchSize = 32, Seed = 3, GeneratorEma = 0.99 };
        using var real = Batch(spec.BatchSize, 4);

        // bf16 -> fp32: the bf16 run's checkpoint holds float32 weights, BatchNorm statistics and Adam state.
        using var mixed = new DcganTrainer(spec with { Precision = Precision.Bf16 }, CPU);
        mixed.Step(real);
        mixed.Step(real);
        Assert.All(mixed.Generator.state_dict().Concat(mixed.Discriminator.state_dict()), kv => Assert.Contains(kv.Value.dtype, new[] { ScalarType.Float32, ScalarType.Int64 })); // Int64: BatchNorm's batch counters
        var bytes = Checkpoint.Serialize(mixed, new CheckpointHeader { Spec = mixed.Spec, Epoch = 1, GlobalStep = 2 });
        using var asFp32 = new DcganTrainer(spec, CPU);
        Checkpoint.Restore(asFp32, bytes, "bf16.ckpt");
        Assert.True(Same(mixed.Generator, asFp32.Generator) && Same(mixed.Discriminator, asFp32.Discriminator), "the fp32 run continues from the bf16 run's exact weights");
        Assert.True(Same(mixed.Average!.Generator, asFp32.Average!.Generator));

        // fp32 -> bf16, and both continue: one more step each stays close.
        var back = Checkpoint.Serialize(asFp32, new CheckpointHeader { Spec = asFp32.Spec, Epoch = 1, GlobalStep = 2 });
        using var asBf16 = new DcganTrainer(spec with { Precision = Precision.Bf16 }, CPU);
        Checkpoint.Restore(asBf16, back, "fp32.ckpt");
        Assert.True(Same(asFp32.Generator, asBf16.Generator));
        var a = asFp32.Step(real);
        var b = asBf16.Step(real);
        Assert.True(Math.Abs(a.GLoss - b.GLoss) <= LossTolerance * Math.Abs(a.GLoss), $"G loss {b.GLoss} vs {a.GLoss}");
        Assert.Equal(3, asBf16.Average!.Updates);
    }

    [Fact]
    public void Samples_are_drawn_in_float32_whatever_the_training_precision()
    {
        var spec = new RunSpec { BatchSize = 16, Seed = 8 };
        using var fp32 = new DcganTrainer(spec, CPU);
        using var bf16 = new DcganTrainer(spec with { Precision = Precision.Bf16 }, CPU);
        using var noise = randn(16, spec.NoiseDim, generator: new torch.Generator(2));
        Assert.Equal(fp32.Generator.Render(noise), bf16.Generator.Render(noise)); // same weights, inference in float32: identical
    }

    private static Tensor Batch(int size, ulong seed)
    {
        using var generator = new torch.Generator(seed);
        return rand([size, 1, 28, 28], generator: generator).mul(2).sub(1);
    }

    private static bool Same(nn.Module a, nn.Module b)
    {
        var left = a.state_dict().ToList();
        var right = b.state_dict().ToList();
        return left.Count == right.Count && left.Zip(right).All(pair => pair.First.Key == pair.Second.Key && pair.First.Value.eq(pair.Second.Value).all().item<bool>());
    }
}
