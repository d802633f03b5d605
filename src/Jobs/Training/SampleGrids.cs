using DigitGan.Jobs.Model;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Imaging;
using DigitGan.Shared.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Training;

/// <summary>A run's sample grids: each epoch draws the same 16 fixed-noise digits (own seed stream); at the end they make its GIF.</summary>
public sealed class SampleGrids(IArtifactStore store, Guid runId, RunSpec spec) : IDisposable
{
    public const int GifDelayCentiseconds = 25;

    private readonly Tensor noise = FixedNoise(spec);

    /// <summary>Each digit of rendered pixels ([N, 28, 28] in [-1, 1], see <see cref="DcganGenerator.Render"/>) as an image.</summary>
    public static List<GrayImage> Cells(float[] pixels, int count) =>
        [.. Enumerable.Range(0, count).Select(i => GrayImage.FromSignedUnit(pixels.AsSpan(i * 28 * 28, 28 * 28), 28, 28))];

    /// <summary>
    /// Renders <paramref name="count"/> digits ([count, 28, 28] in [-1, 1], see <see cref="DcganGenerator.Render"/>)
    /// from the noise: all of it, or with a ranking the <paramref name="count"/> the discriminator ranks highest of
    /// <see cref="SampleRanking.Candidates(long, double)"/> vectors, in the order drawn.
    /// </summary>
    public static float[] Render(DcganGenerator generator, SampleRanking? ranking, Tensor noise, int count)
        => Keep(ranking, generator.Render(noise), count);

    /// <summary>
    /// Of rendered digits (<paramref name="pixels"/>: [N, 28, 28] in [-1, 1]), all of them, or with a ranking the
    /// <paramref name="count"/> the discriminator ranks highest, in the order drawn.
    /// </summary>
    public static float[] Keep(SampleRanking? ranking, float[] pixels, int count)
    {
        if (ranking is null)
        {
            return pixels;
        }

        const int Size = 28 * 28;
        using var images = tensor(pixels).view(-1, 1, 28, 28);
        using var best = ranking.Best(images, count);
        var kept = new float[count * Size];
        var index = best.data<long>().ToArray();
        for (var i = 0; i < count; i++)
        {
            pixels.AsSpan((int)index[i] * Size, Size).CopyTo(kept.AsSpan(i * Size, Size));
        }

        return kept;
    }

    /// <summary>Draws the epoch's grid with the sampling generator (the average, if any) in inference mode and stores it.</summary>
    public async Task PutAsync(DcganTrainer trainer, int epoch, CancellationToken cancellationToken)
    {
        var cells = Cells(Render(trainer.SamplingGenerator, trainer.Ranking, noise, SampleGridLayout.Cells), SampleGridLayout.Cells);
        var grid = GrayImage.Grid(cells, SampleGridLayout.Columns, SampleGridLayout.Scale, SampleGridLayout.Gap, SampleGridLayout.GapValue);
        await store.PutBytesAsync(RunArtifactLayout.Sample(runId, epoch), PngEncoder.Encode(grid), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the grids of epochs 1 to <paramref name="epochs"/> as the run's GIF; returns the frame count.</summary>
    public async Task<int> WriteGifAsync(int epochs, CancellationToken cancellationToken)
    {
        var frames = new List<GrayImage>(epochs);
        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            var path = RunArtifactLayout.Sample(runId, epoch);
            var png = await store.GetBytesAsync(path, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"{path} is missing; cannot build the run's GIF.");
            frames.Add(PngDecoder.Decode(png, path));
        }

        using var gif = new MemoryStream();
        GifEncoder.Write(gif, frames, GifDelayCentiseconds);
        await store.PutBytesAsync(RunArtifactLayout.Gif(runId), gif.ToArray(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return frames.Count;
    }

    public void Dispose() => noise.Dispose();

    /// <summary>
    /// The run's fixed noise vectors that every epoch's sample grid is drawn from: [16, noiseDim], or with
    /// discriminator ranking the candidates its 16 are chosen from.
    /// </summary>
    public static Tensor FixedNoise(RunSpec spec)
    {
        using var generator = new torch.Generator(RunSeeds.Derive(spec.Seed, RunSeeds.SampleNoise));
        return LatentNoise.Draw(spec, SampleRanking.Candidates(SampleGridLayout.Cells, spec), generator);
    }
}
