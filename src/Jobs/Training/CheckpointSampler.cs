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
    /// With <paramref name="cluster"/>, only digits of that cluster of the run's clustered latent prior.
    /// </summary>
    public static (CheckpointHeader Header, byte[] Png) DrawGrid(byte[] bytes, string source, int count, long seed, int scale, double? sampleKeep = null, int? cluster = null)
    {
        using var digits = Checkpoint.LoadDigits(bytes, source, sampleKeep);
        var header = digits.Header;
        using var noiseGenerator = new torch.Generator((ulong)seed);
        var candidates = Model.SampleRanking.Candidates(count, header.Spec);
        float[] pixels;
        if (cluster is { } c)
        {
            pixels = SampleGrids.Keep(digits.Ranking, DrawCluster(digits.Generator, header, c, candidates, noiseGenerator), count);
        }
        else
        {
            using var noise = Model.LatentNoise.Draw(header.Spec, candidates, noiseGenerator);
            pixels = SampleGrids.Render(digits.Generator, digits.Ranking, noise, count);
        }

        var cells = SampleGrids.Cells(pixels, count);
        return (header, PngEncoder.Encode(GrayImage.Grid(cells, (int)Math.Ceiling(Math.Sqrt(count)), scale, gap: 2)));
    }

    private const int ClusterChunk = 2 * Model.DcganGenerator.MinSamplingBatch;

    /// <summary>
    /// <paramref name="count"/> digits of one cluster, rendered as the prior draws them: noise of the whole mixture in
    /// chunks (so batch statistics are the mixture's, as in training), keeping the vectors of the cluster, in the
    /// order drawn. It renders about latentClusters times the digits it keeps.
    /// </summary>
    private static float[] DrawCluster(Model.DcganGenerator generator, CheckpointHeader header, int cluster, long count, torch.Generator noiseGenerator)
    {
        var clusters = CheckpointEvaluation.RequireClusters(header, "--cluster");
        if (cluster < 0 || cluster >= clusters)
        {
            throw new ArgumentException($"--cluster must be 0 to {clusters - 1}: run {header.RunId}'s prior has {clusters} clusters, so {cluster} is not one of them.");
        }

        const int Size = 28 * 28;
        var kept = new List<float>((int)count * Size);
        while (kept.Count < count * Size)
        {
            var (noise, labels) = Model.LatentNoise.DrawLabelled(header.Spec.NoiseDim, Model.LatentPrior.Of(header.Spec), ClusterChunk, noiseGenerator);
            using (noise)
            using (labels)
            {
                var pixels = generator.Render(noise);
                var of = labels!.data<long>().ToArray();
                for (var i = 0; i < of.Length && kept.Count < count * Size; i++)
                {
                    if (of[i] == cluster)
                    {
                        kept.AddRange(pixels.AsSpan(i * Size, Size));
                    }
                }
            }
        }

        return [.. kept];
    }
}
