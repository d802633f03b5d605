namespace DigitGan.Web.Components.Runs;

/// <summary>One point of a chart series: x in epochs, y in the series' unit.</summary>
public readonly record struct ChartPoint(double X, double Y);
