using DigitGan.Jobs.Model;
using Xunit;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DigitGan.Jobs.Tests.Model;

public sealed class SingleChannelConvolutionsTests
{
    [Fact]
    public void Conv2d_equals_libtorchs_convolution_forward_and_backward()
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(5);
        var images = randn([6, 1, 28, 28], generator: generator);
        var weight = randn([64, 1, 5, 5], generator: generator).mul_(0.2);
        var bias = randn([64], generator: generator);

        var (expected, expectedGrads) = Run(x => functional.conv2d(x[0], x[1], x[2], strides: [2, 2], padding: [2, 2]), images, weight, bias);
        var (actual, actualGrads) = Run(x => SingleChannelConvolutions.Conv2d(x[0], x[1], x[2], stride: 2, padding: 2), images, weight, bias);

        Assert.Equal(expected.shape, actual.shape);
        AssertClose(expected, actual, "output");
        foreach (var (e, a, name) in expectedGrads.Zip(actualGrads, new[] { "input gradient", "weight gradient", "bias gradient" }))
        {
            AssertClose(e, a, name);
        }

        // Channels-last out: channel is the fastest-moving dimension.
        Assert.Equal(1, actual.stride(1));
    }

    [Fact]
    public void ConvTranspose2d_equals_libtorchs_transposed_convolution_forward_and_backward()
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(6);
        var input = randn([6, 64, 14, 14], generator: generator);
        var weight = randn([64, 1, 5, 5], generator: generator).mul_(0.2);

        var (expected, expectedGrads) = Run(x => functional.conv_transpose2d(x[0], x[1], null, [2, 2], [2, 2], [1, 1]), input, weight);
        var (actual, actualGrads) = Run(x => SingleChannelConvolutions.ConvTranspose2d(x[0], x[1], stride: 2, padding: 2, outputPadding: 1), input, weight);

        Assert.Equal(new long[] { 6, 1, 28, 28 }, actual.shape);
        AssertClose(expected, actual, "output");
        AssertClose(expectedGrads[0], actualGrads[0], "input gradient");
        AssertClose(expectedGrads[1], actualGrads[1], "weight gradient");

        // Channels-last input (as the generator passes it) gives the same result.
        var channelsLast = input.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        AssertClose(expected, SingleChannelConvolutions.ConvTranspose2d(channelsLast, weight, 2, 2, 1), "output from channels-last input");
    }

    [Fact]
    public void Shapes_they_do_not_cover_are_refused()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => SingleChannelConvolutions.Conv2d(zeros(1, 3, 8, 8), zeros(4, 3, 5, 5), null, 2, 2));
        Assert.Throws<ArgumentException>(() => SingleChannelConvolutions.ConvTranspose2d(zeros(1, 4, 8, 8), zeros(4, 3, 5, 5), 2, 2, 1));
    }

    /// <summary>Forward with an arbitrary upstream gradient; returns the output and the gradients of every input.</summary>
    private static (Tensor Output, Tensor[] Gradients) Run(Func<Tensor[], Tensor> layer, params Tensor[] inputs)
    {
        var leaves = inputs.Select(t => t.detach().clone().requires_grad_(true)).ToArray();
        var output = layer(leaves);
        var upstream = output.detach().sin();
        output.backward([upstream]);
        return (output.detach(), [.. leaves.Select(l => l.grad!.detach())]);
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        var scale = expected.abs().max().item<float>();
        var difference = (expected - actual).abs().max().item<float>();
        Assert.True(difference <= 1e-5 * Math.Max(1, scale), $"{what}: max difference {difference} (scale {scale})");
    }
}
