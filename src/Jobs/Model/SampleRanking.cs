using DigitGan.Shared.Runs;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Model;

/// <summary>
/// Discriminator-ranked sampling (<see cref="RunSpec.SampleKeep"/>): of the digits drawn, keep those the discriminator
/// scores most real, in the order they were drawn. This is the top-k form of discriminator rejection sampling (Azadi
/// et al. 2019): the discriminator has learnt where generated digits differ from real ones, and the digits it is
/// surest of are dropped. The discriminator runs in inference mode (no dropout, spectral vectors not moved), so
/// ranking never changes what training does next.
/// </summary>
public sealed class SampleRanking(DcganDiscriminator discriminator, double keep)
{
    private const int Batch = 500;

    /// <summary>The fraction of the digits drawn that are kept.</summary>
    public double Keep { get; } = keep;

    /// <summary>The ranking a spec asks for, with the run's discriminator; null when it keeps every digit.</summary>
    public static SampleRanking? For(RunSpec spec, DcganDiscriminator discriminator) => spec.SampleKeep < 1 ? new SampleRanking(discriminator, spec.SampleKeep) : null;

    /// <summary>How many digits to draw so that <paramref name="count"/> are kept at <paramref name="keep"/>.</summary>
    public static long Candidates(long count, double keep) => keep >= 1 ? count : (long)Math.Ceiling(count / keep);

    /// <summary>How many digits a spec draws to keep <paramref name="count"/>.</summary>
    public static long Candidates(long count, RunSpec spec) => Candidates(count, spec.SampleKeep);

    /// <summary>The indices ([count], ascending) of the <paramref name="count"/> digits of <paramref name="images"/> ([N, 1, 28, 28] in [-1, 1]) that the discriminator scores highest.</summary>
    public Tensor Best(Tensor images, long count)
    {
        if (count > images.shape[0])
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Cannot keep {count} of {images.shape[0]} digits.");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var wasTraining = discriminator.training;
        discriminator.eval();
        try
        {
            var device = discriminator.parameters().First().device;
            var logits = new List<Tensor>();
            for (long start = 0; start < images.shape[0]; start += Batch)
            {
                logits.Add(discriminator.forward(images.narrow(0, start, Math.Min(Batch, images.shape[0] - start)).to(device)).flatten().cpu());
            }

            // A stable sort, so equal scores keep the digit drawn first.
            var order = cat(logits).sort(dim: 0, descending: true, stable: true).Indices;
            return order.narrow(0, 0, count).sort().Values.MoveToOuterDisposeScope();
        }
        finally
        {
            discriminator.train(wasTraining);
        }
    }

    /// <summary>The <paramref name="count"/> digits of <paramref name="images"/> that the discriminator scores highest, in the order drawn.</summary>
    public Tensor Select(Tensor images, long count)
    {
        using var best = Best(images, count);
        return images.index_select(0, best.to(images.device));
    }
}
