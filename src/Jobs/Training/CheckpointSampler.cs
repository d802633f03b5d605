using DigitGan.Shared.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Training;

/// <summary>Digits drawn from a checkpoint's generator, as one grid PNG.</summary>
public static class CheckpointSampler
{
    /// <summary>Draws digits from noise of a seed in rows of ceil(sqrt(count)), each pixel scaled up, with 2-pixel gaps.</summary>
    public static (CheckpointHeader Header, byte[] Png) DrawGrid(byte[] bytes, string source, int count, long seed, int scale)
    {
        var (header, loaded) = Checkpoint.LoadGenerator(bytes, source);
        using var generator = loaded;
        using var noiseGenerator = new torch.Generator((ulong)seed);
        using var noise = randn([count, header.Spec.NoiseDim], generator: noiseGenerator);
        var cells = SampleGrids.Cells(generator.Render(noise), count);
        return (header, PngEncoder.Encode(GrayImage.Grid(cells, (int)Math.Ceiling(Math.Sqrt(count)), scale, gap: 2)));
    }
}
