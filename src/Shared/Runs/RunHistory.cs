namespace DigitGan.Shared.Runs;

/// <summary>A run's metrics.jsonl read back by kind, for charts and comparisons.</summary>
public sealed record RunHistory
{
    public static readonly RunHistory Empty = new();

    public IReadOnlyList<StepMetrics> Steps { get; init; } = [];
    public IReadOnlyList<EpochMetrics> Epochs { get; init; } = [];
    public IReadOnlyList<EvaluationMetrics> Evaluations { get; init; } = [];
    public IReadOnlyList<HealthRecord> Health { get; init; } = [];

    /// <summary>Parses metrics.jsonl; a line that is not valid JSON (a torn write) is skipped, so one bad line hides nothing else.</summary>
    public static RunHistory Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Empty;
        }

        List<StepMetrics> steps = [];
        List<EpochMetrics> epochs = [];
        List<EvaluationMetrics> evaluations = [];
        List<HealthRecord> health = [];
        foreach (var line in MetricsLines.Split(text))
        {
            MetricsRecord? record;
            try
            {
                record = MetricsLines.Parse(line);
            }
            catch (System.Text.Json.JsonException)
            {
                continue;
            }

            switch (record)
            {
                case StepMetrics s: steps.Add(s); break;
                case EpochMetrics e: epochs.Add(e); break;
                case EvaluationMetrics v: evaluations.Add(v); break;
                case HealthRecord h: health.Add(h); break;
            }
        }

        return new RunHistory { Steps = steps, Epochs = epochs, Evaluations = evaluations, Health = health };
    }

    /// <summary>The evaluation of <paramref name="epoch"/>, or null when that epoch was not evaluated.</summary>
    public EvaluationMetrics? EvaluationAt(int epoch) => Evaluations.LastOrDefault(e => e.Epoch == epoch);
}
