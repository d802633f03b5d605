using DigitGan.Shared.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Model;

/// <summary>
/// The generator's input noise: standard normal (the tutorial), or with <see cref="RunSpec.LatentClusters"/> a mixture
/// of that many unit-variance Gaussians whose centres lie <see cref="RunSpec.LatentClusterOffset"/> along the first
/// axes (vector i of cluster c has the offset added to its component c). Every drawer of noise (training, grids,
/// evaluations, the sample command, batch-statistics filler) draws through here, so a run is scored on what it trained on.
/// </summary>
public static class LatentNoise
{
    /// <summary>[count, noiseDim] noise from <paramref name="generator"/>: the normal draw first, then (with clusters) each vector's cluster.</summary>
    public static Tensor Draw(int noiseDim, LatentPrior prior, long count, torch.Generator generator, Device? device = null)
    {
        var (noise, cluster) = DrawLabelled(noiseDim, prior, count, generator, device);
        cluster?.Dispose();
        return noise;
    }

    /// <summary>Noise for a run of <paramref name="spec"/>.</summary>
    public static Tensor Draw(RunSpec spec, long count, torch.Generator generator, Device? device = null)
        => Draw(spec.NoiseDim, LatentPrior.Of(spec), count, generator, device);

    /// <summary>
    /// The same draw as <see cref="Draw(int, LatentPrior, long, torch.Generator, Device?)"/> (the same vectors from the
    /// same generator state), with each vector's cluster ([count] int64, 0 to clusters - 1); the cluster is null without clusters.
    /// </summary>
    public static (Tensor Noise, Tensor? Cluster) DrawLabelled(int noiseDim, LatentPrior prior, long count, torch.Generator generator, Device? device = null)
    {
        var noise = randn([count, noiseDim], device: device, generator: generator);
        if (prior.Clusters == 0)
        {
            return (noise, null);
        }

        var cluster = randint(prior.Clusters, [count], dtype: ScalarType.Int64, device: device, generator: generator);
        using (NewDisposeScope())
        {
            noise.add_(nn.functional.one_hot(cluster, noiseDim).to(ScalarType.Float32).mul_(prior.Offset));
        }

        return (noise, cluster);
    }
}
