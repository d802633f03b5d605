namespace DigitGan.Jobs.Benchmarks;

/// <summary>The fastest, median and slowest timed step, in seconds.</summary>
public sealed record StepTimings(double Min, double Median, double Max);
