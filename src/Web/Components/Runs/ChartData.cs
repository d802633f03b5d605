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

    /// <summary>
    /// TensorBoard's smoothing: an exponential moving average with weight <paramref name="weight"/> (0: none, up to
    /// 0.999), debiased like Adam's moments (divided by 1 - weight^n, so the first points are not pulled towards 0).
    /// Computed on the whole series, before <see cref="Downsample"/>; non-finite values pass through and are skipped.
    /// </summary>
    public static IReadOnlyList<ChartPoint> Smooth(IReadOnlyList<ChartPoint> points, double weight)
    {
        if (weight <= 0 || points.Count == 0)
        {
            return points;
        }

        weight = Math.Min(weight, 0.999);
        var result = new ChartPoint[points.Count];
        double last = 0;
        var count = 0;
        for (var i = 0; i < points.Count; i++)
        {
            var y = points[i].Y;
            if (!double.IsFinite(y))
            {
                result[i] = points[i];
                continue;
            }

            last = (last * weight) + ((1 - weight) * y);
            count++;
            result[i] = points[i] with { Y = last / (1 - Math.Pow(weight, count)) };
        }

        return result;
    }

    /// <summary>
    /// Per-step D and G losses (downsampled; with <paramref name="smoothing"/>, also a smoothed line computed on the
    /// full series first) and their epoch means.
    /// </summary>
    public static IReadOnlyList<ChartSeries> Losses(RunHistory history, double smoothing = 0)
    {
        // An epoch's width in steps: its summary's step count, or (an epoch still without one) its highest step so far.
        var stepsPerEpoch = history.Steps.GroupBy(s => s.Epoch).ToDictionary(g => g.Key, g => Math.Max(1, g.Max(s => s.Step)));
        foreach (var epoch in history.Epochs)
        {
            stepsPerEpoch[epoch.Epoch] = Math.Max(1, epoch.Steps);
        }

        double X(StepMetrics s) => s.Epoch - 1 + (double)s.Step / stepsPerEpoch[s.Epoch];
        List<ChartPoint> d = [.. history.Steps.Select(s => new ChartPoint(X(s), s.DLoss))];
        List<ChartPoint> g = [.. history.Steps.Select(s => new ChartPoint(X(s), s.GLoss))];
        List<ChartSeries> series =
        [
            new("D loss (step)", Downsample(d), "#90caf9", Thin: true),
            new("G loss (step)", Downsample(g), "#ef9a9a", Thin: true),
        ];
        if (smoothing > 0)
        {
            series.Add(new("D loss (step, smoothed)", Downsample(Smooth(d, smoothing)), "#1565c0"));
            series.Add(new("G loss (step, smoothed)", Downsample(Smooth(g, smoothing)), "#c62828"));
        }

        series.Add(new("D loss (epoch mean)", [.. history.Epochs.Select(e => new ChartPoint(e.Epoch, e.DLoss))], "#1e88e5", Dashed: smoothing > 0));
        series.Add(new("G loss (epoch mean)", [.. history.Epochs.Select(e => new ChartPoint(e.Epoch, e.GLoss))], "#e53935", Dashed: smoothing > 0));
        return series;
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
