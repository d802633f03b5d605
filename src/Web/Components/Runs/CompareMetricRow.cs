namespace DigitGan.Web.Components.Runs;

/// <summary>One metric of the compare page's table: its name and each run's value as shown ("" when the run has none).</summary>
public sealed record CompareMetricRow(string Metric, IReadOnlyList<string> Values)
{
    /// <summary>The runs do not all show the same value.</summary>
    public bool Differs => Values.Distinct(StringComparer.Ordinal).Skip(1).Any();
}
