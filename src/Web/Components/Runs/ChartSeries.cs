namespace DigitGan.Web.Components.Runs;

/// <summary>
/// One line of a <see cref="LineChart"/>: x in epochs (epoch e spans e-1..e), y in the series' unit. Series with
/// different <paramref name="Unit"/>s get a y axis each (null: the chart's first axis).
/// </summary>
public sealed record ChartSeries(string Name, IReadOnlyList<ChartPoint> Points, string Color, bool Dashed = false, bool Thin = false, string? Unit = null);
