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
    [InlineData(StepKind.Shared, ScalarType.BFloat16)]
    [InlineData(StepKind.Alternating, ScalarType.BFloat16)]
    [InlineData(StepKind.Reuse, ScalarType.BFloat16)]
    [InlineData(StepKind.Shared, ScalarType.Float16)] // CUDA without bf16; libtorch computes float16 on the CPU too, so the loss-scaled step is checked here
    [InlineData(StepKind.Alternating, ScalarType.Float16)]
    public void A_mixed_precision_step_gives_losses_and_gradients_within_the_stated_tolerance_of_fp32(StepKind step, ScalarType computeType)
    {
        var spec = new RunSpec { BatchSize = 64, Seed = 5, Step = step };
        using var real = Batch(spec.BatchSize, 9);
        using var fp32 = new DcganTrainer(spec, CPU);
        using var bf16 = new DcganTrainer(spec with { Precision = Precision.Bf16 }, CPU, computeType);
        Assert.Equal((ScalarType.Float32, computeType), (fp32.ComputeType, bf16.ComputeType));
        Assert.Equal(computeType == ScalarType.Float16, bf16.Scaler is not null);

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
        Assert.Equal(0, bf16.Scaler?.SkippedSteps ?? 0); // the gradients above are the unscaled ones of a step that was taken
    }

    [Theory]
    [InlineData(StepKind.Shared)]
    [InlineData(StepKind.Alternating)]
    public void A_float16_step_whose_scaled_gradients_overflow_is_skipped_and_the_scale_halves(StepKind step)
    {
        var spec = new RunSpec { BatchSize = 16, Seed = 6, Step = step, GeneratorEma = 0.99 };
        using var real = Batch(spec.BatchSize, 2);
        using var fp16 = new DcganTrainer(spec, CPU, ScalarType.Float16);
        using var before = new DcganTrainer(spec, CPU);
        fp16.Scaler!.Scale = 1e30; // far beyond float16's 65,504: every backpropagated activation gradient overflows

        var result = fp16.Step(real);
        Assert.True(double.IsFinite(result.DLoss) && double.IsFinite(result.GLoss), "the losses themselves are float32 and finite");
        Assert.Equal(2, fp16.Scaler.SkippedSteps); // both networks skipped their update
        Assert.Equal(5e29, fp16.Scaler.Scale);
        Assert.True(Same(before.Generator, fp16.Generator, parametersOnly: true) && Same(before.Discriminator, fp16.Discriminator, parametersOnly: true), "a skipped step leaves the weights as they were");

        fp16.Scaler.Scale = LossScaler.InitialScale; // a sane scale: the next step is taken
        fp16.Step(real);
        Assert.Equal(2, fp16.Scaler.SkippedSteps);
        Assert.False(Same(before.Generator, fp16.Generator, parametersOnly: true));
        Assert.True(fp16.WeightsAreFinite());
    }

    [Fact]
    public void The_loss_scale_doubles_after_the_growth_interval_of_clean_steps_and_never_falls_below_one()
    {
        var scaler = new LossScaler();
        for (var i = 0; i < LossScaler.GrowthInterval - 1; i++)
        {
            scaler.Update();
        }

        Assert.Equal(LossScaler.InitialScale, scaler.Scale);
        scaler.Update();
        Assert.Equal(2 * LossScaler.InitialScale, scaler.Scale);

        scaler.Scale = 1;
        using var gradient = torch.full(3, float.PositiveInfinity);
        using var parameter = new TorchSharp.Modules.Parameter(torch.zeros(3)) { grad = gradient };
        using var optimizer = optim.Adam([parameter]);
        Assert.False(scaler.Step(optimizer, [parameter]));
        scaler.Update();
        Assert.Equal(LossScaler.MinimumScale, scaler.Scale);
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

    private static bool Same(nn.Module a, nn.Module b, bool parametersOnly = false)
    {
        // parametersOnly: the weights alone (BatchNorm's running statistics move in any training pass, taken or skipped)
        var left = parametersOnly ? a.named_parameters().Select(p => new KeyValuePair<string, Tensor>(p.name, p.parameter)).ToList() : a.state_dict().ToList();
        var right = parametersOnly ? b.named_parameters().Select(p => new KeyValuePair<string, Tensor>(p.name, p.parameter)).ToList() : b.state_dict().ToList();
        return left.Count == right.Count && left.Zip(right).All(pair => pair.First.Key == pair.Second.Key && pair.First.Value.eq(pair.Second.Value).all().item<bool>());
    }
}
