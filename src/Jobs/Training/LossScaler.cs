using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Training;

/// <summary>
/// Dynamic loss scaling for float16 training (CUDA devices without bfloat16). Float16 has 5 exponent bits: gradients
/// below about 6e-8 flush to zero. Each loss is multiplied by <see cref="Scale"/> before its backward pass, and the
/// float32 master gradients are divided by it again before the optimizer step. A step whose gradients overflowed
/// (inf or NaN) is skipped for that network and the scale halves; after <see cref="GrowthInterval"/> steps in a row
/// without overflow it doubles. The rule and constants are those of PyTorch's GradScaler. The scale is not kept in
/// checkpoints: a resumed run starts again at <see cref="InitialScale"/> and finds its level within a few steps.
/// </summary>
public sealed class LossScaler
{
    public const double InitialScale = 65_536;
    public const int GrowthInterval = 2_000;
    public const double MinimumScale = 1;

    /// <summary>The factor the losses are multiplied by; settable, e.g. to start a test from an overflowing scale.</summary>
    public double Scale { get; set; } = InitialScale;

    /// <summary>Optimizer steps skipped because their gradients overflowed, over the scaler's life.</summary>
    public long SkippedSteps { get; private set; }

    private int goodSteps;
    private bool overflowThisStep;

    /// <summary>The loss to backpropagate: <paramref name="loss"/> times the scale.</summary>
    public Tensor ScaleLoss(Tensor loss) => loss * Scale;

    /// <summary>
    /// Divides the gradients of <paramref name="parameters"/> by the scale and steps <paramref name="optimizer"/>
    /// when they are all finite; otherwise skips the step (the weights stay as they were). Returns whether it stepped.
    /// </summary>
    public bool Step(OptimizerHelper optimizer, IReadOnlyList<Parameter> parameters)
    {
        using var scope = NewDisposeScope();
        var gradients = parameters.Select(p => p.grad).OfType<Tensor>().ToList();
        foreach (var gradient in gradients)
        {
            gradient.div_(Scale);
        }

        // One host sync for all of them (a GPU would otherwise wait once per tensor).
        if (gradients.Count > 0 && !stack(gradients.Select(g => isfinite(g).all()).ToArray()).all().item<bool>())
        {
            overflowThisStep = true;
            SkippedSteps++;
            return false;
        }

        optimizer.step();
        return true;
    }

    /// <summary>Ends a train step: halves the scale after an overflow, doubles it after <see cref="GrowthInterval"/> clean steps.</summary>
    public void Update()
    {
        if (overflowThisStep)
        {
            Scale = Math.Max(MinimumScale, Scale / 2);
            goodSteps = 0;
        }
        else if (++goodSteps >= GrowthInterval)
        {
            Scale *= 2;
            goodSteps = 0;
        }

        overflowThisStep = false;
    }
}
