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

    /// <param name="spec">The run's spec.</param>
    /// <param name="device">Where the networks live.</param>
    /// <param name="computeType">The number format of the products; null: the spec's precision resolved for the device (tests pass one to try a format the device would not get).</param>
    public DcganTrainer(RunSpec spec, Device device, ScalarType? computeType = null)
    {
        Spec = spec;
        Device = device;
        ComputeType = computeType ?? ComputePrecision.Resolve(spec.Precision, device);
        Scaler = ComputePrecision.NeedsLossScaling(ComputeType) ? new LossScaler() : null;
        Random = new torch.Generator(RunSeeds.Derive(spec.Seed, RunSeeds.Training), device);
        using (var init = new torch.Generator(RunSeeds.Derive(spec.Seed, RunSeeds.Initialization)))
        {
            Generator = new DcganGenerator(spec.NoiseDim, init) { Sampling = spec.Sampling, Prior = LatentPrior.Of(spec), ComputeType = ComputeType };
            Discriminator = new DcganDiscriminator(init, Random, spec.DiscriminatorNorm == DiscriminatorNorm.Spectral) { ComputeType = ComputeType };
        }

        Generator.to(device);
        Discriminator.to(device);
        Average = spec.GeneratorEma > 0 ? new GeneratorAverage(Generator, spec.GeneratorEma) : null;
        Ranking = SampleRanking.For(spec, Discriminator);
        generatorParameters = [.. Generator.parameters()];
        discriminatorParameters = [.. Discriminator.parameters()];

        // beta1/beta2 are always passed explicitly (TorchSharp factories have defaulted beta2 to 0.99). Keras adds
        // epsilon to sqrt(v) before bias correction ("epsilon hat"), PyTorch after it: with eps = 1e-7 the two
        // differ only while sqrt(v_hat) is comparable to 1e-7, i.e. negligibly.
        GeneratorOptimizer = optim.Adam(generatorParameters, lr: spec.LearningRate, beta1: spec.Beta1, beta2: spec.Beta2, eps: AdamEpsilon);
        DiscriminatorOptimizer = optim.Adam(discriminatorParameters, lr: spec.DiscriminatorRate(), beta1: spec.Beta1, beta2: spec.Beta2, eps: AdamEpsilon);
    }

    public RunSpec Spec { get; }
    public Device Device { get; }

    /// <summary>The number format of the products: the spec's precision, with Auto resolved for this device. Weights, optimizer state and checkpoints are float32 whatever it is.</summary>
    public ScalarType ComputeType { get; }

    /// <summary>Dynamic loss scaling when the products run in float16; null otherwise.</summary>
    public LossScaler? Scaler { get; }
    public DcganGenerator Generator { get; }
    public DcganDiscriminator Discriminator { get; }
    public Adam GeneratorOptimizer { get; }
    public Adam DiscriminatorOptimizer { get; }

    /// <summary>The moving average of the generator's weights when the spec asks for one (<see cref="RunSpec.GeneratorEma"/>).</summary>
    public GeneratorAverage? Average { get; }

    /// <summary>The generator that draws the run's samples and is scored: the average when there is one, else the trained one.</summary>
    public DcganGenerator SamplingGenerator => Average?.Generator ?? Generator;

    /// <summary>Which drawn digits the run's samples and scores keep (<see cref="RunSpec.SampleKeep"/>); null: all of them.</summary>
    public SampleRanking? Ranking { get; }

    /// <summary>The run's own training generator: noise, shuffling and dropout draw from it (and nothing else does).</summary>
    public torch.Generator Random { get; }

    /// <summary>Draws noise from the run's generator, from the spec's latent prior (<see cref="LatentNoise"/>).</summary>
    public Tensor Noise(long count) => LatentNoise.Draw(Spec, count, Random, Device);

    /// <summary>
    /// Sets both optimizers' learning rates for a step of the run (1-based over all its epochs, out of
    /// <paramref name="totalSteps"/>) by the spec's schedule; with the constant schedule they keep their set values.
    /// </summary>
    public void ScheduleLearningRates(long globalStep, long totalSteps)
    {
        var factor = Spec.LearningRateFactor(globalStep, totalSteps);
        foreach (var (optimizer, rate) in new[] { (GeneratorOptimizer, Spec.LearningRate), (DiscriminatorOptimizer, Spec.DiscriminatorRate()) })
        {
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = rate * factor;
            }
        }
    }

    /// <summary>One optimisation step on a batch of real images in [-1, 1], shape [B, 1, 28, 28].</summary>
    public StepResult Step(Tensor real)
    {
        using var scope = NewDisposeScope();
        Generator.train();
        Discriminator.train();
        var batch = real.shape[0];
        var ones = torch.ones(batch, 1, device: Device);
        var zeros = torch.zeros(batch, 1, device: Device);
        var realTargets = Spec.LabelSmoothing > 0 ? torch.full(batch, 1, 1 - Spec.LabelSmoothing, device: Device) : ones;
        Tensor DiscriminatorLoss(Tensor realOut, Tensor fakeOut) => Spec.Loss == GanLoss.Hinge
            ? relu(realTargets - realOut).mean() + relu(1 + fakeOut).mean()
            : binary_cross_entropy_with_logits(realOut, realTargets) + binary_cross_entropy_with_logits(fakeOut, zeros);
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
            dLoss = DiscriminatorLoss(realLogits, fakeLogits);
            gLoss = GeneratorLoss(Spec, fakeLogits);
            Scaled(gLoss).backward(retain_graph: true, inputs: generatorParameters);
            var penalty = Spec.ConsistencyWeight > 0
                ? ConsistencyPenalty(realLogits, fakeLogits, Discriminator.forward(DigitShift.Shift(cat([real, fake.detach()]), RunSpec.ConsistencyShift, Random)))
                : null;
            Scaled(penalty is null ? dLoss : dLoss + penalty).backward(inputs: discriminatorParameters);
            StepOptimizer(DiscriminatorOptimizer, discriminatorParameters);
            StepOptimizer(GeneratorOptimizer, generatorParameters);
        }
        else
        {
            // D learns from a detached generated batch, then G from a batch as the updated D sees it: a fresh G pass
            // (alternating), or the same batch with the gradients of its one pass kept (reuse: one G pass a step).
            var reuse = Spec.Step == StepKind.Reuse;
            Tensor fake;
            using (reuse ? null : no_grad())
            {
                fake = Generator.forward(Noise(batch));
            }

            Tensor? penalty;
            (realLogits, fakeLogits, penalty) = DiscriminateBoth(real, fake.detach());
            dLoss = DiscriminatorLoss(realLogits, fakeLogits);
            Scaled(penalty is null ? dLoss : dLoss + penalty).backward(inputs: discriminatorParameters);
            StepOptimizer(DiscriminatorOptimizer, discriminatorParameters);

            gLoss = GeneratorLoss(Spec, Discriminator.forward(reuse ? fake : Generator.forward(Noise(batch))));
            Scaled(gLoss).backward(inputs: generatorParameters);
            StepOptimizer(GeneratorOptimizer, generatorParameters);
        }

        Scaler?.Update();
        Average?.Update();

        // One host sync for all four figures.
        var figures = stack([dLoss.detach(), gLoss.detach(), torch.sigmoid(realLogits.detach()).mean(), torch.sigmoid(fakeLogits.detach()).mean()]).cpu().data<float>().ToArray();
        return new StepResult(figures[0], figures[1], figures[2], figures[3]);
    }

    /// <summary>
    /// G's loss on D's logits for a generated batch ([B, 1]): non-saturating cross-entropy, or the hinge loss's -D(G(z)).
    /// With top-k training (<see cref="RunSpec.GeneratorTopK"/> below 1) it counts only the k highest logits, so the
    /// other digits give G no gradient (topk's gather routes none to them).
    /// </summary>
    public static Tensor GeneratorLoss(RunSpec spec, Tensor fakeLogits)
    {
        var counted = spec.GeneratorTopK < 1 ? fakeLogits.topk((int)spec.GeneratorTopKCount(fakeLogits.shape[0]), dim: 0).values : fakeLogits;
        return spec.Loss == GanLoss.Hinge ? -counted.mean() : binary_cross_entropy_with_logits(counted, torch.ones_like(counted));
    }

    private Tensor Scaled(Tensor loss) => Scaler?.ScaleLoss(loss) ?? loss;

    private void StepOptimizer(Adam optimizer, Parameter[] parameters)
    {
        if (Scaler is null)
        {
            optimizer.step();
        }
        else
        {
            Scaler.Step(optimizer, parameters);
        }
    }

    /// <summary>
    /// D(real) and D(fake) in one pass over both batches (D has no BatchNorm, so each logit is the same as in two
    /// passes). Used by the alternating and reuse steps: in the shared step the G loss must backpropagate through D(fake),
    /// and a joint pass would make that backward cover the real half too (measured: 20% slower). With consistency
    /// regularisation the same pass also scores both batches shifted, and the penalty comes back with the logits
    /// (one pass, so spectral normalisation still takes one power iteration a step); without it the penalty is null.
    /// </summary>
    private (Tensor Real, Tensor Fake, Tensor? Penalty) DiscriminateBoth(Tensor real, Tensor fake)
    {
        var both = cat([real, fake]);
        var regularised = Spec.ConsistencyWeight > 0;
        var logits = Discriminator.forward(regularised ? cat([both, DigitShift.Shift(both, RunSpec.ConsistencyShift, Random)]) : both);
        var (realLogits, fakeLogits) = (logits.narrow(0, 0, real.shape[0]), logits.narrow(0, real.shape[0], fake.shape[0]));
        return (realLogits, fakeLogits, regularised ? ConsistencyPenalty(realLogits, fakeLogits, logits.narrow(0, both.shape[0], both.shape[0])) : null);
    }

    /// <summary>
    /// Balanced consistency regularisation (<see cref="RunSpec.ConsistencyWeight"/>): the weight times the mean squared
    /// change of D's logits between each real and each generated digit and its shifted copy
    /// (<paramref name="shiftedLogits"/>: the real digits' first, then the generated ones').
    /// </summary>
    private Tensor ConsistencyPenalty(Tensor realLogits, Tensor fakeLogits, Tensor shiftedLogits)
    {
        var realCount = realLogits.shape[0];
        var realChange = (shiftedLogits.narrow(0, 0, realCount) - realLogits).square().mean();
        var fakeChange = (shiftedLogits.narrow(0, realCount, fakeLogits.shape[0]) - fakeLogits).square().mean();
        return (realChange + fakeChange) * Spec.ConsistencyWeight;
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
        Average?.Dispose();
        Generator.Dispose();
        Discriminator.Dispose();
        Random.Dispose();
    }
}
