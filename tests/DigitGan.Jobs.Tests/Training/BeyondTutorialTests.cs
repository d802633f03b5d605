using DigitGan.Jobs.Model;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Runs;
using Xunit;
using static DigitGan.Jobs.Tests.Training.TrainerSteps;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Tests.Training;

/// <summary>The training options beyond the tutorial: the generator average, spectral normalisation, the losses and the sampling mode.</summary>
public sealed class BeyondTutorialTests
{
    private static readonly RunSpec AllOptions = new()
    {
        BatchSize = 32,
        Seed = 11,
        LearningRate = 2e-4,
        Beta1 = 0.5,
        DiscriminatorLearningRate = 4e-4,
        GeneratorEma = 0.99,
        DiscriminatorNorm = DiscriminatorNorm.Spectral,
        Loss = GanLoss.Hinge,
        LabelSmoothing = 0.1,
        ConsistencyWeight = 10,
        Sampling = SamplingMode.Batch,
        Step = StepKind.Shared,
    };

    [Theory]
    [InlineData(StepKind.Shared)]
    [InlineData(StepKind.Alternating)]
    [InlineData(StepKind.Reuse)]
    public void The_generator_average_is_saved_in_checkpoints_and_resumes_bit_exactly(StepKind step)
    {
        var spec = AllOptions with { Step = step };
        using var real = Batch(spec, 5);
        using var first = new DcganTrainer(spec, CPU);
        Steps(first, real, 3);
        Assert.Equal(3, first.Average!.Updates);
        Assert.False(SameState(first.Average.Generator, first.Generator), "the average moved away from the trained weights");

        var bytes = Checkpoint.Serialize(first, new CheckpointHeader { Spec = spec, Epoch = 1, GlobalStep = 3 });
        using var resumed = new DcganTrainer(spec, CPU);
        Checkpoint.Restore(resumed, bytes, "x.ckpt");
        Assert.Equal(3, resumed.Average!.Updates);
        Assert.True(SameState(first.Average.Generator, resumed.Average.Generator));
        Assert.True(SameState(first.Discriminator, resumed.Discriminator), "spectral normalisation's vectors are restored too");

        Steps(first, real, 2);
        Steps(resumed, real, 2);
        Assert.True(SameState(first.Average.Generator, resumed.Average.Generator), "two more steps after a resume give the same average, bit for bit");
        Assert.True(SameState(first.Generator, resumed.Generator));

        // Sampling and scoring read the average from the checkpoint, in the spec's sampling mode.
        var (_, sampler) = Checkpoint.LoadGenerator(Checkpoint.Serialize(first, new CheckpointHeader { Spec = spec, Epoch = 1 }), "y.ckpt");
        using (sampler)
        {
            Assert.True(SameState(first.Average.Generator, sampler));
            Assert.Equal(SamplingMode.Batch, sampler.Sampling);
        }
    }

    [Fact]
    public void The_linear_schedule_takes_both_rates_from_their_set_values_toward_zero_and_the_constant_one_keeps_them()
    {
        static (double G, double D) Rates(DcganTrainer trainer)
            => (trainer.GeneratorOptimizer.ParamGroups.Single().LearningRate, trainer.DiscriminatorOptimizer.ParamGroups.Single().LearningRate);

        using var linear = new DcganTrainer(AllOptions with { LearningRateSchedule = LearningRateSchedule.Linear }, CPU);
        linear.ScheduleLearningRates(1, 10);
        Assert.Equal((2e-4, 4e-4), Rates(linear));
        linear.ScheduleLearningRates(6, 10);
        Assert.Equal(1e-4, Rates(linear).G, 15);
        Assert.Equal(2e-4, Rates(linear).D, 15);
        linear.ScheduleLearningRates(10, 10);
        Assert.Equal(2e-5, Rates(linear).G, 15);
        Assert.Equal(4e-5, Rates(linear).D, 15);

        using var constant = new DcganTrainer(AllOptions, CPU);
        constant.ScheduleLearningRates(10, 10);
        Assert.Equal((2e-4, 4e-4), Rates(constant));
        Assert.Equal(LearningRateSchedule.Constant, new RunSpec().LearningRateSchedule);
    }

    [Fact]
    public void The_average_warms_up_then_decays_at_its_rate()
    {
        using var trainer = new DcganTrainer(AllOptions with { GeneratorEma = 0.999 }, CPU);
        Assert.Equal(0.1, trainer.Average!.CurrentDecay, 12); // (1 + 0) / (10 + 0)
        trainer.Average.Updates = 100_000;
        Assert.Equal(0.999, trainer.Average.CurrentDecay, 12);
    }

    [Fact]
    public void The_tutorial_spec_has_no_average_and_no_spectral_buffers()
    {
        using var trainer = new DcganTrainer(new RunSpec { Seed = 1 }, CPU);
        Assert.Null(trainer.Average);
        Assert.Same(trainer.Generator, trainer.SamplingGenerator);
        Assert.DoesNotContain(trainer.Discriminator.state_dict().Keys, key => key.StartsWith("spectral", StringComparison.Ordinal));
    }

    [Fact]
    public void Spectral_normalisation_divides_each_weight_by_an_estimate_of_its_largest_singular_value()
    {
        using var trainer = new DcganTrainer(AllOptions, CPU);
        using var real = Batch(AllOptions, 2);
        Steps(trainer, real, 30); // the power iteration converges over the steps
        using var noGrad = no_grad();
        foreach (var (name, buffer) in trainer.Discriminator.named_buffers().Where(b => b.name.StartsWith("spectral", StringComparison.Ordinal)))
        {
            var weight = trainer.Discriminator.named_parameters().Where(p => p.name.EndsWith("weight", StringComparison.Ordinal)).ElementAt(int.Parse(name[^1..], System.Globalization.CultureInfo.InvariantCulture) - 1).parameter;
            var matrix = weight.view(weight.shape[0], -1);
            var sigma = linalg.matrix_norm(matrix, ord: 2).item<float>();
            var v = matrix.t().mv(buffer);
            var estimate = buffer.dot(matrix.mv(v / v.norm())).item<float>(); // what a pass divides the weight by
            Assert.True(Math.Abs(estimate / sigma - 1) < 0.05, $"{name}: estimate {estimate}, largest singular value {sigma}");
        }
    }

    [Fact]
    public void Batch_sampling_draws_a_small_grid_with_fixed_filler_and_differs_from_running_statistics()
    {
        using var trainer = new DcganTrainer(AllOptions, CPU);
        using var real = Batch(AllOptions, 3);
        Steps(trainer, real, 2);
        using var noise = randn([16, AllOptions.NoiseDim], generator: new TorchSharp.torch.Generator(4));
        var generator = trainer.Generator;
        generator.Sampling = SamplingMode.Batch;
        var batch = generator.Render(noise);
        Assert.Equal(batch, generator.Render(noise)); // the filler is fixed: the same grid every time
        generator.Sampling = SamplingMode.Running;
        var running = generator.Render(noise);
        Assert.NotEqual(batch, running);
    }

    [Fact]
    public void Label_smoothing_and_the_hinge_loss_change_the_losses_and_the_defaults_keep_the_tutorials()
    {
        var tutorial = new RunSpec { BatchSize = 32, Seed = 2 };
        using var real = Batch(tutorial, 1);
        double DLoss(RunSpec spec)
        {
            using var trainer = new DcganTrainer(spec, CPU);
            return trainer.Step(real).DLoss;
        }

        var plain = DLoss(tutorial);
        Assert.Equal(plain, DLoss(tutorial with { LabelSmoothing = 0 }));
        Assert.NotEqual(plain, DLoss(tutorial with { LabelSmoothing = 0.1 }));
        Assert.NotEqual(plain, DLoss(tutorial with { Loss = GanLoss.Hinge }));
    }
}
