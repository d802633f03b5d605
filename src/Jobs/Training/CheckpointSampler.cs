using DigitGan.Shared.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Training;

/// <summary>Digits drawn from a checkpoint's generator, as one grid PNG.</summary>
public static class CheckpointSampler
{
    /// <summary>
    /// Draws digits from noise of a seed in rows of ceil(sqrt(count)), each pixel scaled up, with 2-pixel gaps; with
    /// discriminator ranking (the spec's, or <paramref name="sampleKeep"/>), the best <paramref name="count"/> of more.
    /// </summary>
    public static (CheckpointHeader Header, byte[] Png) DrawGrid(byte[] bytes, string source, int count, long seed, int scale, double? sampleKeep = null)
    {
        using var digits = Checkpoint.LoadDigits(bytes, source, sampleKeep);
        var header = digits.Header;
        using var noiseGenerator = new torch.Generator((ulong)seed);
        using var noise = Model.LatentNoise.Draw(header.Spec, Model.SampleRanking.Candidates(count, header.Spec), noiseGenerator);
        var cells = SampleGrids.Cells(SampleGrids.Render(digits.Generator, digits.Ranking, noise, count), count);
        return (header, PngEncoder.Encode(GrayImage.Grid(cells, (int)Math.Ceiling(Math.Sqrt(count)), scale, gap: 2)));
    }
}
