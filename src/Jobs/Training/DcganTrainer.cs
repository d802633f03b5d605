using DigitGan.Jobs.Model;
using DigitGan.Shared.Runs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace DigitGan.Jobs.Training;

/// <summary>
/// The two networks, their optimizers and the run's random generator: everything a checkpoint holds, and the
/// train step of docs/model.md. One instance per run; never shares state with another run.
/// </summary>
public sealed class DcganTrainer : IDisposable
{
    /// <summary>Keras Adam's default epsilon (PyTorch's is 1e-8).</summary>
    public const double AdamEpsilon = 1e-7;

    private readonly Parameter[] generatorParameters;
    private readonly Parameter[] discriminatorParameters;

    public DcganTrainer(RunSpec spec, Device device)
    {
        Spec = spec;
        Device = device;
        Random = new torch.Generator(RunSeeds.Derive(spec.Seed, RunSeeds.Training), device);
        using (var init = new torch.Generator(RunSeeds.Derive(spec.Seed, RunSeeds.Initialization)))
        {
            Generator = new DcganGenerator(spec.NoiseDim, init);
            Discriminator = new DcganDiscriminator(init, Random);
        }

        Generator.to(device);
        Discriminator.to(device);
        generatorParameters = [.. Generator.parameters()];
        discriminatorParameters = [.. Discriminator.parameters()];

        // beta1/beta2 are always passed explicitly (TorchSharp factories have defaulted beta2 to 0.99). Keras adds
        // epsilon to sqrt(v) before bias correction ("epsilon hat"), PyTorch after it: with eps = 1e-7 the two
        // differ only while sqrt(v_hat) is comparable to 1e-7, i.e. negligibly.
        GeneratorOptimizer = optim.Adam(generatorParameters, lr: spec.LearningRate, beta1: spec.Beta1, beta2: spec.Beta2, eps: AdamEpsilon);
        DiscriminatorOptimizer = optim.Adam(discriminatorParameters, lr: spec.LearningRate, beta1: spec.Beta1, beta2: spec.Beta2, eps: AdamEpsilon);
    }

    public RunSpec Spec { get; }
    public Device Device { get; }
    public DcganGenerator Generator { get; }
    public DcganDiscriminator Discriminator { get; }
    public Adam GeneratorOptimizer { get; }
    public Adam DiscriminatorOptimizer { get; }

    /// <summary>The run's own training generator: noise, shuffling and dropout draw from it (and nothing else does).</summary>
    public torch.Generator Random { get; }

    /// <summary>Draws standard-normal noise from the run's generator.</summary>
    public Tensor Noise(long count) => randn([count, Spec.NoiseDim], device: Device, generator: Random);

    /// <summary>One optimisation step on a batch of real images in [-1, 1], shape [B, 1, 28, 28].</summary>
    public StepResult Step(Tensor real)
    {
        using var scope = NewDisposeScope();
        Generator.train();
        Discriminator.train();
        var batch = real.shape[0];
        var ones = torch.ones(batch, 1, device: Device);
        var zeros = torch.zeros(batch, 1, device: Device);
        Tensor realLogits, fakeLogits, dLoss, gLoss;

        GeneratorOptimizer.zero_grad();
        DiscriminatorOptimizer.zero_grad();
        if (Spec.Step == StepKind.Shared)
        {
            // The tutorial: one noise batch, one G pass, D(real) and D(fake) from it; each net's gradients come
            // from its own loss only (two gradient tapes over one forward pass).
            var fake = Generator.forward(Noise(batch));
            realLogits = Discriminator.forward(real);
            fakeLogits = Discriminator.forward(fake);
            dLoss = binary_cross_entropy_with_logits(realLogits, ones) + binary_cross_entropy_with_logits(fakeLogits, zeros);
            gLoss = binary_cross_entropy_with_logits(fakeLogits, ones);
            gLoss.backward(retain_graph: true, inputs: generatorParameters);
            dLoss.backward(inputs: discriminatorParameters);
            DiscriminatorOptimizer.step();
            GeneratorOptimizer.step();
        }
        else
        {
            Tensor fake;
            using (no_grad())
            {
                fake = Generator.forward(Noise(batch));
            }

            (realLogits, fakeLogits) = DiscriminateBoth(real, fake);
            dLoss = binary_cross_entropy_with_logits(realLogits, ones) + binary_cross_entropy_with_logits(fakeLogits, zeros);
            dLoss.backward(inputs: discriminatorParameters);
            DiscriminatorOptimizer.step();

            var freshLogits = Discriminator.forward(Generator.forward(Noise(batch)));
            gLoss = binary_cross_entropy_with_logits(freshLogits, ones);
            gLoss.backward(inputs: generatorParameters);
            GeneratorOptimizer.step();
        }

        // One host sync for all four figures.
        var figures = stack([dLoss.detach(), gLoss.detach(), torch.sigmoid(realLogits.detach()).mean(), torch.sigmoid(fakeLogits.detach()).mean()]).cpu().data<float>().ToArray();
        return new StepResult(figures[0], figures[1], figures[2], figures[3]);
    }

    /// <summary>
    /// D(real) and D(fake) in one pass over both batches (D has no BatchNorm, so each logit is the same as in two
    /// passes). Used by the alternating step only: in the shared step the G loss must backpropagate through D(fake),
    /// and a joint pass would make that backward cover the real half too (measured: 20% slower).
    /// </summary>
    private (Tensor Real, Tensor Fake) DiscriminateBoth(Tensor real, Tensor fake)
    {
        var logits = Discriminator.forward(cat([real, fake]));
        return (logits.narrow(0, 0, real.shape[0]), logits.narrow(0, real.shape[0], fake.shape[0]));
    }

    /// <summary>True when every weight of both networks is finite.</summary>
    public bool WeightsAreFinite()
    {
        using var scope = NewDisposeScope();
        return generatorParameters.Concat(discriminatorParameters).All(p => isfinite(p).all().item<bool>());
    }

    public void Dispose()
    {
        GeneratorOptimizer.Dispose();
        DiscriminatorOptimizer.Dispose();
        Generator.Dispose();
        Discriminator.Dispose();
        Random.Dispose();
    }
}
