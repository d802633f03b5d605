using DigitGan.Jobs.Model;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Runs;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Tests.Model;

public sealed class ModelTests
{
    [Fact]
    public void Libtorch_loads_and_runs_a_convolution()
    {
        using var scope = NewDisposeScope();
        var image = ones(1, 1, 3, 3);
        var kernel = ones(1, 1, 3, 3);
        var result = nn.functional.conv2d(image, kernel, padding: [1, 1]);
        Assert.Equal(9f, result[0, 0, 1, 1].item<float>());
        Assert.Equal(4f, result[0, 0, 0, 0].item<float>());
        Assert.False(cuda.is_available() && !TorchRuntime.SelectDevice().type.Equals(DeviceType.CUDA));
    }

    [Fact]
    public void Generator_and_discriminator_have_the_tutorials_shapes()
    {
        using var trainer = new DcganTrainer(new RunSpec(), CPU);
        using var scope = NewDisposeScope();
        var images = trainer.Generator.forward(randn(5, 100));
        Assert.Equal(new long[] { 5, 1, 28, 28 }, images.shape);
        Assert.True(images.abs().max().item<float>() <= 1f, "tanh output must lie in [-1, 1]");
        Assert.Equal(new long[] { 5, 1 }, trainer.Discriminator.forward(images).shape);
    }

    [Fact]
    public void Parameter_counts_equal_the_keras_models()
    {
        using var trainer = new DcganTrainer(new RunSpec(), CPU);
        Assert.Equal(2_305_472, trainer.Generator.parameters().Sum(p => p.numel()));
        Assert.Equal(25_472, trainer.Generator.named_buffers().Where(b => b.name.EndsWith("running_mean", StringComparison.Ordinal) || b.name.EndsWith("running_var", StringComparison.Ordinal)).Sum(b => b.buffer.numel()));
        Assert.Equal(212_865, trainer.Discriminator.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Weights_are_glorot_uniform_and_biases_zero()
    {
        using var trainer = new DcganTrainer(new RunSpec { Seed = 3 }, CPU);
        var parameters = trainer.Generator.named_parameters().Select(p => ("G." + p.name, p.parameter))
            .Concat(trainer.Discriminator.named_parameters().Select(p => ("D." + p.name, p.parameter)))
            .ToDictionary(p => p.Item1, p => p.parameter);

        // Dense 100 -> 12544: limit sqrt(6 / (100 + 12544)); a uniform's std is limit / sqrt(3).
        AssertGlorot(parameters["G.fc.weight"], Math.Sqrt(6.0 / (100 + 12544)));
        AssertGlorot(parameters["G.ct1.weight"], Math.Sqrt(6.0 / (25 * (256 + 128))));
        AssertGlorot(parameters["D.conv2.weight"], Math.Sqrt(6.0 / (25 * (64 + 128))));
        foreach (var bias in new[] { "D.conv1.bias", "D.conv2.bias", "D.fc.bias" })
        {
            Assert.Equal(0f, parameters[bias].abs().max().item<float>());
        }
    }

    [Fact]
    public void Initialization_depends_on_the_seed_only()
    {
        using var a = new DcganTrainer(new RunSpec { Seed = 5 }, CPU);
        using var b = new DcganTrainer(new RunSpec { Seed = 5 }, CPU);
        using var c = new DcganTrainer(new RunSpec { Seed = 6 }, CPU);
        var pa = a.Generator.parameters().First();
        Assert.True(pa.eq(b.Generator.parameters().First()).all().item<bool>());
        Assert.False(pa.eq(c.Generator.parameters().First()).all().item<bool>());
    }

    [Fact]
    public void Adam_uses_the_keras_hyperparameters()
    {
        using var trainer = new DcganTrainer(new RunSpec(), CPU);
        foreach (var adam in new[] { trainer.GeneratorOptimizer, trainer.DiscriminatorOptimizer })
        {
            Assert.Equal((0.9, 0.999), adam.Betas);
            var options = ((TorchSharp.Modules.Adam.ParamGroup)adam.ParamGroups.Single()).Options;
            Assert.Equal(1e-4, options.LearningRate);
            Assert.Equal(1e-7, options.eps);
            Assert.Equal(0.999, options.beta2);
        }
    }

    [Fact]
    public void BatchNorm_uses_the_keras_momentum()
    {
        // Keras momentum 0.99 = PyTorch 0.01: after one training batch the running mean is 0.01 x the batch mean.
        using var trainer = new DcganTrainer(new RunSpec(), CPU);
        using var scope = NewDisposeScope();
        var noise = randn(64, 100);
        var dense = nn.functional.linear(noise, trainer.Generator.named_parameters().Single(p => p.name == "fc.weight").parameter);
        trainer.Generator.train();
        using (no_grad())
        {
            trainer.Generator.forward(noise);
        }

        var runningMean = trainer.Generator.named_buffers().Single(b => b.name == "bn0.running_mean").buffer;
        Assert.True(runningMean.allclose(dense.mean([0]) * 0.01, rtol: 1e-4, atol: 1e-6));
    }

    [Fact]
    public void Cost_model_matches_the_reference_figures()
    {
        Assert.Equal(51.74e6, ModelCost.GeneratorForwardMacs(100), 0.01e6);
        Assert.Equal(10.36e6, ModelCost.DiscriminatorForwardMacs(), 0.01e6);
        Assert.Equal(476e6, ModelCost.FlopsPerImageStep(StepKind.Shared), 1e6);
        Assert.Equal(600e6, ModelCost.FlopsPerImageStep(StepKind.Alternating), 1e6);
        Assert.Equal(497e6, ModelCost.FlopsPerImageStep(StepKind.Reuse), 1e6);
    }

    [Theory]
    [InlineData(60_000, 256, null, 235)]
    [InlineData(257, 256, null, 1)] // a last batch of one image is dropped
    [InlineData(258, 256, null, 2)]
    [InlineData(512, 256, null, 2)]
    [InlineData(60_000, 256, 5, 5)]
    public void Steps_per_epoch_keep_the_partial_batch(int images, int batch, int? maxSteps, int expected)
        => Assert.Equal(expected, TrainingRunner.StepsPerEpoch(images, batch, maxSteps));

    [Theory]
    [InlineData(StepKind.Shared)]
    [InlineData(StepKind.Alternating)]
    [InlineData(StepKind.Reuse)]
    public void A_train_step_changes_both_networks_and_reports_finite_losses(StepKind step)
    {
        using var trainer = new DcganTrainer(new RunSpec { Step = step, BatchSize = 16 }, CPU);
        using var scope = NewDisposeScope();
        var g0 = trainer.Generator.parameters().Select(p => p.clone()).ToList();
        var d0 = trainer.Discriminator.parameters().Select(p => p.clone()).ToList();
        var result = trainer.Step(rand(16, 1, 28, 28).mul(2).sub(1));
        Assert.True(double.IsFinite(result.DLoss) && double.IsFinite(result.GLoss));
        Assert.InRange(result.DReal, 0, 1);
        Assert.InRange(result.DFake, 0, 1);
        Assert.Contains(trainer.Generator.parameters().Zip(g0), pair => !pair.First.eq(pair.Second).all().item<bool>());
        Assert.Contains(trainer.Discriminator.parameters().Zip(d0), pair => !pair.First.eq(pair.Second).all().item<bool>());
    }

    [Fact]
    public void Shared_step_takes_generator_gradients_from_the_generator_loss_only()
    {
        // Reference: the G gradient of BCE(D(G(z)), 1) computed on its own, with the same weights and noise.
        var spec = new RunSpec { BatchSize = 8, Seed = 9 };
        using var trainer = new DcganTrainer(spec, CPU);
        using var reference = new DcganTrainer(spec, CPU);
        using var scope = NewDisposeScope();
        var (real, fake) = StepThenReplayGeneratorPass(trainer, reference);
        reference.Discriminator.forward(real); // consumes the dropout draws of D(real), as the step does
        var gLoss = nn.functional.binary_cross_entropy_with_logits(reference.Discriminator.forward(fake), ones(8, 1));
        var gradients = autograd.grad([gLoss], [.. reference.Generator.parameters()]);
        reference.GeneratorOptimizer.zero_grad();
        foreach (var (parameter, gradient) in reference.Generator.parameters().Zip(gradients))
        {
            parameter.grad = gradient;
        }

        reference.GeneratorOptimizer.step();
        AssertSameWeights(trainer.Generator, reference.Generator, "generator weights differ from a G-loss-only update");
    }

    [Fact]
    public void Reuse_step_updates_the_generator_on_the_batch_the_updated_discriminator_was_shown()
    {
        // Reference: D's update on real and one generated batch, then G's update from BCE(D'(that batch), 1) with the
        // updated D', replayed from the same weights and random state.
        var spec = new RunSpec { BatchSize = 8, Seed = 9, Step = StepKind.Reuse };
        using var trainer = new DcganTrainer(spec, CPU);
        using var reference = new DcganTrainer(spec, CPU);
        using var scope = NewDisposeScope();
        var (real, fake) = StepThenReplayGeneratorPass(trainer, reference);
        var logits = reference.Discriminator.forward(cat([real, fake.detach()]));
        var dLoss = nn.functional.binary_cross_entropy_with_logits(logits.narrow(0, 0, 8), ones(8, 1))
            + nn.functional.binary_cross_entropy_with_logits(logits.narrow(0, 8, 8), zeros(8, 1));
        reference.DiscriminatorOptimizer.zero_grad();
        dLoss.backward();
        reference.DiscriminatorOptimizer.step();
        var gLoss = nn.functional.binary_cross_entropy_with_logits(reference.Discriminator.forward(fake), ones(8, 1));
        reference.GeneratorOptimizer.zero_grad();
        gLoss.backward(inputs: [.. reference.Generator.parameters()]);
        reference.GeneratorOptimizer.step();

        AssertSameWeights(trainer.Discriminator, reference.Discriminator, "discriminator weights differ from an update on real and the generated batch");
        AssertSameWeights(trainer.Generator, reference.Generator, "generator weights differ from an update on the same batch scored by the updated discriminator");
    }

    /// <summary>
    /// One train step of <paramref name="trainer"/> on a fixed batch of 8, then the reference (built from the same seed,
    /// so the same weights) at the step's random state with its first G pass replayed: the batch and that pass.
    /// </summary>
    private static (Tensor Real, Tensor Fake) StepThenReplayGeneratorPass(DcganTrainer trainer, DcganTrainer reference)
    {
        var real = rand(8, 1, 28, 28, generator: new torch.Generator(1)).mul(2).sub(1);
        var state = trainer.Random.get_state();
        trainer.Step(real);
        reference.Random.set_state(state);
        reference.Generator.train();
        reference.Discriminator.train();
        return (real, reference.Generator.forward(reference.Noise(8)));
    }

    private static void AssertSameWeights(nn.Module actual, nn.Module expected, string message)
    {
        foreach (var (a, b) in actual.parameters().Zip(expected.parameters()))
        {
            Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-7), message);
        }
    }

    private static void AssertGlorot(Tensor weight, double limit)
    {
        Assert.True(weight.max().item<float>() <= limit && weight.min().item<float>() >= -limit, "weights outside the Glorot limit");
        Assert.Equal(limit / Math.Sqrt(3), weight.std().item<float>(), limit * 0.05);
        Assert.Equal(0, weight.mean().item<float>(), limit * 0.05);
    }
}
