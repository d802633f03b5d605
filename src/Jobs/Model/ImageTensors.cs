using DigitGan.Shared.Datasets;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Model;

/// <summary>Digits as the networks take them: the scale the GAN trains on and generates, and the classifier scores.</summary>
public static class ImageTensors
{
    /// <summary>MNIST bytes -> float tensor [N, 1, 28, 28] scaled to [-1, 1] as (x - 127.5) / 127.5, on the device.</summary>
    public static Tensor ToTensor(IdxImages images, int count, Device device)
    {
        using var scope = NewDisposeScope();
        var bytes = tensor(images.Pixels.AsSpan(0, count * images.PixelsPerImage).ToArray(), dtype: ScalarType.Byte);
        return bytes.view(count, 1, images.Rows, images.Columns).to(ScalarType.Float32).sub_(127.5).div_(127.5).to(device).MoveToOuterDisposeScope();
    }
}
