using DigitGan.Shared.Runs;
using DigitGan.Web.Components.Runs;
using Xunit;

namespace DigitGan.Web.Tests.Components;

public sealed class ChartDataTests
{
    [Fact]
    public void Downsampling_keeps_at_most_the_limit_in_x_order_and_every_spike()
    {
        var points = Enumerable.Range(0, 11_700).Select(i => new ChartPoint(i / 234.0, Math.Sin(i / 50.0))).ToList();
        points[5_000] = points[5_000] with { Y = 9 };
        points[8_000] = points[8_000] with { Y = -9 };
        var kept = ChartData.Downsample(points);
        Assert.InRange(kept.Count, 1_000, ChartData.MaxPointsPerSeries);
        Assert.Equal(kept.OrderBy(p => p.X), kept);
        Assert.Contains(points[5_000], kept);
        Assert.Contains(points[8_000], kept);
        Assert.Equal(points.Max(p => p.Y), kept.Max(p => p.Y));
        Assert.Same(points, ChartData.Downsample(points, points.Count));
    }

    [Fact]
    public void Losses_place_steps_within_their_epoch_and_means_at_its_end()
    {
        var history = new RunHistory
        {
            Steps = [new StepMetrics { Epoch = 2, Step = 2, DLoss = 1, GLoss = 2 }],
            Epochs = [new EpochMetrics { Epoch = 2, Steps = 4, DLoss = 1.5, GLoss = 0.5 }],
        };
        var series = ChartData.Losses(history);
        Assert.Equal(new ChartPoint(1.5, 1), series[0].Points.Single());
        Assert.Equal(new ChartPoint(2, 0.5), series[3].Points.Single());
    }

    [Fact]
    public void Smooth_is_tensorboards_debiased_ema()
    {
        ChartPoint[] points = [new(1, 1), new(2, 3), new(3, double.NaN), new(4, 2)];
        var smoothed = ChartData.Smooth(points, 0.6);

        // TensorBoard: last = last * w + (1 - w) * y; smoothed = last / (1 - w^n), n counting the finite values.
        var l1 = 0.4 * 1;
        var l2 = (l1 * 0.6) + (0.4 * 3);
        var l3 = (l2 * 0.6) + (0.4 * 2);
        Assert.Equal(1, smoothed[0].Y, 12); // debiased: the first value is itself, not 0.4
        Assert.Equal(l2 / (1 - (0.6 * 0.6)), smoothed[1].Y, 12);
        Assert.True(double.IsNaN(smoothed[2].Y));
        Assert.Equal(l3 / (1 - Math.Pow(0.6, 3)), smoothed[3].Y, 12);
        Assert.Equal(points.Select(p => p.X), smoothed.Select(p => p.X));
        Assert.Same(points, ChartData.Smooth(points, 0));
        Assert.Equal([1.0, 3, double.NaN, 2], points.Select(p => p.Y)); // the data stays as it was
    }

    [Fact]
    public void Smoothing_runs_on_the_full_series_before_downsampling()
    {
        // 10,000 steps alternating 0 and 10: every bucket of the raw series keeps a 0 and a 10, the smoothed one stays near 5.
        var steps = Enumerable.Range(1, 10_000).Select(i => new StepMetrics { Epoch = 1, Step = i, GlobalStep = i, DLoss = i % 2 == 0 ? 10 : 0, GLoss = 1 }).ToList();
        var series = ChartData.Losses(new RunHistory { Steps = steps }, smoothing: 0.9);
        var raw = series.Single(s => s.Name == "D loss (step)");
        var smooth = series.Single(s => s.Name == "D loss (step, smoothed)");
        Assert.InRange(smooth.Points.Count, 1_000, ChartData.MaxPointsPerSeries);
        Assert.Equal([0.0, 10], raw.Points.Skip(100).Select(p => p.Y).Distinct().Order());
        Assert.All(smooth.Points.Skip(100), p => Assert.InRange(p.Y, 4, 6));
        Assert.DoesNotContain(ChartData.Losses(new RunHistory { Steps = steps }), s => s.Name.Contains("smoothed", StringComparison.Ordinal));
    }
}
