using DigitGan.Shared.Runs;

namespace DigitGan.Web.Components.Runs;

/// <summary>Turns a run's metrics into chart series.</summary>
public static class ChartData
{
    /// <summary>The most points one per-step series draws; longer series keep each bucket's min and max.</summary>
    public const int MaxPointsPerSeries = 2000;

    public static readonly string[] Palette = ["#1e88e5", "#e53935", "#43a047", "#fb8c00", "#8e24aa", "#00897b"];

    /// <summary>
    /// Keeps at most <paramref name="maxPoints"/> points: the input is cut into maxPoints/2 buckets and each keeps
    /// its lowest and highest point in x order, so spikes (a collapsing discriminator) stay visible.
    /// </summary>
    public static IReadOnlyList<ChartPoint> Downsample(IReadOnlyList<ChartPoint> points, int maxPoints = MaxPointsPerSeries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        if (points.Count <= maxPoints)
        {
            return points;
        }

        var buckets = maxPoints / 2;
        var result = new List<ChartPoint>(buckets * 2);
        for (var b = 0; b < buckets; b++)
        {
            int start = (int)((long)b * points.Count / buckets), end = (int)((long)(b + 1) * points.Count / buckets);
            int low = start, high = start;
            for (var i = start + 1; i < end; i++)
            {
                if (points[i].Y < points[low].Y)
                {
                    low = i;
                }

                if (points[i].Y > points[high].Y)
                {
                    high = i;
                }
            }

            result.Add(points[Math.Min(low, high)]);
            if (low != high)
            {
                result.Add(points[Math.Max(low, high)]);
            }
        }

        return result;
    }

    /// <summary>Per-step D and G losses (downsampled) and their epoch means.</summary>
    public static IReadOnlyList<ChartSeries> Losses(RunHistory history)
    {
        // An epoch's width in steps: its summary's step count, or (an epoch still without one) its highest step so far.
        var stepsPerEpoch = history.Steps.GroupBy(s => s.Epoch).ToDictionary(g => g.Key, g => Math.Max(1, g.Max(s => s.Step)));
        foreach (var epoch in history.Epochs)
        {
            stepsPerEpoch[epoch.Epoch] = Math.Max(1, epoch.Steps);
        }

        double X(StepMetrics s) => s.Epoch - 1 + (double)s.Step / stepsPerEpoch[s.Epoch];
        return
        [
            new("D loss (step)", Downsample([.. history.Steps.Select(s => new ChartPoint(X(s), s.DLoss))]), "#90caf9", Thin: true),
            new("G loss (step)", Downsample([.. history.Steps.Select(s => new ChartPoint(X(s), s.GLoss))]), "#ef9a9a", Thin: true),
            new("D loss (epoch mean)", [.. history.Epochs.Select(e => new ChartPoint(e.Epoch, e.DLoss))], "#1e88e5"),
            new("G loss (epoch mean)", [.. history.Epochs.Select(e => new ChartPoint(e.Epoch, e.GLoss))], "#e53935"),
        ];
    }

    /// <summary>FID per evaluated epoch and the real-vs-real floor as a dashed line.</summary>
    public static IReadOnlyList<ChartSeries> Fid(RunHistory history) =>
    [
        new("FID", [.. history.Evaluations.Select(e => new ChartPoint(e.Epoch, e.Fid))], "#8e24aa"),
        new("FID floor (real vs real)", [.. history.Evaluations.Select(e => new ChartPoint(e.Epoch, e.FidFloor))], "#757575", Dashed: true),
    ];

    /// <summary>Inception score and the number of classes with at least 5% of the samples (both 0-10).</summary>
    public static IReadOnlyList<ChartSeries> ScoreAndClasses(RunHistory history) =>
    [
        new("Inception score", [.. history.Evaluations.Select(e => new ChartPoint(e.Epoch, e.InceptionScore))], "#00897b"),
        new("Classes >= 5%", [.. history.Evaluations.Select(e => new ChartPoint(e.Epoch, e.ClassesAtLeast5Percent))], "#fb8c00", Dashed: true),
    ];
}
