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
}
