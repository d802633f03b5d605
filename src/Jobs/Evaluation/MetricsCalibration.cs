using DigitGan.Jobs.Model;
using DigitGan.Shared.Datasets;
using DigitGan.Shared.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Evaluation;

/// <summary>
/// What the quality metrics say about sets of digits whose flaws are known: real training digits, one class only,
/// half the classes, uneven class shares, pixel noise, a shift, blur and binarisation. The table in docs/metrics.md comes from here, so a
/// user can read a run's figures against it.
/// </summary>
public static class MetricsCalibration
{
    private const ulong Seed = 20_261_201;

    /// <summary>Scores each case on <paramref name="samples"/> training digits (drawn at random, apart from the class cases' filter).</summary>
    public static IReadOnlyList<(string Case, EvaluationMetrics Metrics)> Run(QualityEvaluator evaluator, MnistSplit train, int samples, Device device)
    {
        using var scope = NewDisposeScope();
        using var all = ImageTensors.ToTensor(train.Images, train.Images.Count, device);
        using var labels = tensor(train.Labels, dtype: ScalarType.Int64);
        using var generator = new torch.Generator(Seed);
        var order = randperm(train.Images.Count, generator: generator);
        Tensor Draw(Func<Tensor, Tensor>? where = null)
        {
            var pool = where is null ? order : order.index_select(0, where(labels.index_select(0, order)).nonzero().squeeze(1));
            return all.index_select(0, pool.narrow(0, 0, Math.Min(samples, pool.shape[0])).to(device));
        }

        var real = Draw();
        using var noise = randn(real.shape, generator: generator).to(device);
        using var coin = rand([train.Images.Count], generator: generator);
        var cases = new List<(string, Tensor)>
        {
            ("real training digits", real),
            ("one class only (the 1s)", Draw(l => l.eq(1))),
            ("half the classes (0-4)", Draw(l => l.lt(5))),
            ("uneven classes (0-4 at 3/4 of their share)", Draw(l => l.ge(5).logical_or(coin.lt(0.75)))),
            ("pixel noise, sigma 0.1", real.add(noise.mul(0.1)).clamp(-1, 1)),
            ("pixel noise, sigma 0.3", real.add(noise.mul(0.3)).clamp(-1, 1)),
            ("shifted by 2 px", real.add(1).roll([2, 2], [2, 3]).sub(1)),
            ("blurred (3x3 box)", nn.functional.avg_pool2d(real.add(1), 3, stride: 1, padding: 1, count_include_pad: true).sub(1)),
            ("binarised at 0", real.gt(0).to(ScalarType.Float32).mul(2).sub(1)),
        };
        return [.. cases.Select(c => (c.Item1, evaluator.Score(c.Item2)))];
    }
}
