using DigitGan.Jobs.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Training;

/// <summary>
/// An exponential moving average of the generator's weights (Karras et al. 2018, Yazici et al. 2019), which draws
/// the run's samples: it smooths out the last steps' oscillation, so digits are steadier and cleaner than the
/// trained weights'. The decay warms up as TensorFlow's ExponentialMovingAverage does with num_updates,
/// min(decay, (1 + t) / (10 + t)), so a short run is not dominated by its initial weights. BatchNorm's running
/// statistics are copied from the trained generator, not averaged.
/// </summary>
public sealed class GeneratorAverage : IDisposable
{
    private readonly (Tensor Average, Tensor Live)[] parameters;
    private readonly (Tensor Average, Tensor Live)[] buffers;

    public GeneratorAverage(DcganGenerator live, double decay)
    {
        Decay = decay;
        using (var init = new torch.Generator(0))
        {
            Generator = new DcganGenerator(live.NoiseDim, init) { Sampling = live.Sampling, Prior = live.Prior };
        }

        Generator.to(live.parameters().First().device);
        Generator.eval();
        parameters = [.. Generator.parameters().Zip(live.parameters(), (a, l) => ((Tensor)a, (Tensor)l))];
        buffers = [.. Generator.buffers().Zip(live.buffers())];
        using var noGrad = no_grad();
        foreach (var (average, value) in parameters.Concat(buffers))
        {
            average.copy_(value);
        }
    }

    public double Decay { get; }

    /// <summary>Updates so far (the warm-up's t); kept in checkpoints.</summary>
    public long Updates { get; set; }

    /// <summary>The averaged generator (inference mode; never trained directly).</summary>
    public DcganGenerator Generator { get; }

    /// <summary>The decay the next update uses.</summary>
    public double CurrentDecay => Math.Min(Decay, (1.0 + Updates) / (10.0 + Updates));

    /// <summary>Moves the average towards the live weights; call after each generator update.</summary>
    public void Update()
    {
        var decay = CurrentDecay;
        using var noGrad = no_grad();
        foreach (var (average, live) in parameters)
        {
            average.mul_(decay).add_(live, alpha: 1 - decay);
        }

        foreach (var (average, live) in buffers)
        {
            average.copy_(live);
        }

        Updates++;
    }

    public void Dispose() => Generator.Dispose();
}
