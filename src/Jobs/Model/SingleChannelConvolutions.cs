using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DigitGan.Jobs.Model;

/// <summary>
/// The two layers with a single image channel (the discriminator's first convolution and the generator's last
/// transposed convolution) as one matrix product plus im2col / col2im. oneDNN's kernels run these shapes at about a
/// tenth of the machine's peak; the product form computes the same sums (rounding aside) about 1.5x faster, forward
/// and backward, and hands the next layer channels-last activations. Weights stay in the usual Conv2d /
/// ConvTranspose2d modules, so checkpoints are unchanged.
/// </summary>
public static class SingleChannelConvolutions
{
    /// <summary>conv2d of a one-channel [N, 1, H, W] input with weight [C, 1, k, k]: a channels-last [N, C, OH, OW].</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, long stride, long padding)
    {
        var (n, height, width) = (input.shape[0], input.shape[2], input.shape[3]);
        var (channels, kernel) = (weight.shape[0], weight.shape[2]);
        if (input.shape[1] != 1 || weight.shape[1] != 1)
        {
            throw new ArgumentException("Conv2d here takes one input channel.", nameof(input));
        }

        var outHeight = ((height + (2 * padding) - kernel) / stride) + 1;
        var outWidth = ((width + (2 * padding) - kernel) / stride) + 1;
        var patches = functional.unfold(input, kernel, 1, padding, stride)         // [N, k*k, OH*OW]
            .transpose(1, 2).reshape(n * outHeight * outWidth, kernel * kernel); // one row per output pixel
        var weights = weight.view(channels, kernel * kernel).t();
        var pixels = bias is null ? patches.mm(weights) : addmm(bias, patches, weights, beta: 1, alpha: 1); // [N*OH*OW, C]: NHWC
        return pixels.view(n, outHeight, outWidth, channels).permute(0, 3, 1, 2);
    }

    /// <summary>conv_transpose2d to one output channel: input [N, C, H, W], weight [C, 1, k, k], no bias; the k*k overlapping contributions are summed in float32.</summary>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, long stride, long padding, long outputPadding)
    {
        var (n, channels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3]);
        var kernel = weight.shape[2];
        if (weight.shape[1] != 1 || weight.shape[0] != channels)
        {
            throw new ArgumentException("ConvTranspose2d here produces one output channel.", nameof(weight));
        }

        var outHeight = ((height - 1) * stride) - (2 * padding) + kernel + outputPadding;
        var outWidth = ((width - 1) * stride) - (2 * padding) + kernel + outputPadding;
        var pixels = input.permute(0, 2, 3, 1).reshape(n * height * width, channels); // a view of channels-last input
        var contributions = pixels.mm(weight.view(channels, kernel * kernel))       // each input pixel's k*k outputs
            .view(n, height * width, kernel * kernel).transpose(1, 2)               // [N, k*k, H*W]
            .to(ScalarType.Float32);
        return functional.fold(contributions, (outHeight, outWidth), (kernel, kernel), padding: (padding, padding), stride: (stride, stride));
    }
}
