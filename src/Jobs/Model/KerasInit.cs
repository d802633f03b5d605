using TorchSharp;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Model;

/// <summary>Keras' default initializers, drawn from the run's own generator (TorchSharp's init functions take none).</summary>
public static class KerasInit
{
    /// <summary>
    /// Glorot-uniform (drawn on the CPU, then copied to the weight's device): U(-l, l) with l = sqrt(6 / (fan_in + fan_out)). fan_in + fan_out = receptive field x
    /// (in + out channels) for Dense, Conv2D and Conv2DTranspose alike, whatever the weight layout.
    /// </summary>
    public static void GlorotUniform(Tensor weight, torch.Generator generator)
    {
        var shape = weight.shape;
        var receptive = shape.Skip(2).Aggregate(1L, (a, b) => a * b);
        var fanSum = receptive * (shape[0] + shape[1]);
        var limit = Math.Sqrt(6.0 / fanSum);
        using var noGrad = no_grad();
        using var uniform = rand(shape, dtype: weight.dtype, generator: generator);
        weight.copy_(uniform.mul_(2 * limit).sub_(limit));
    }

    public static void Zeros(Tensor bias)
    {
        using var noGrad = no_grad();
        bias.zero_();
    }
}
