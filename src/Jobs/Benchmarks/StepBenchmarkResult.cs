namespace DigitGan.Jobs.Benchmarks;

/// <summary>The timing of one train step kind in one precision and how close it came to that precision's peak.</summary>
public sealed record StepBenchmarkResult
{
    public required string Step { get; init; }

    /// <summary>fp32 or bf16: the products' number format, and the peak the bound is computed from.</summary>
    public string Precision { get; init; } = "fp32";

    /// <summary>"steps": the fixed window of timed steps; "epoch": a whole epoch's worth of steps (60,000 images).</summary>
    public string Window { get; init; } = "steps";
    public int BatchSize { get; init; }
    public int WarmupSteps { get; init; }
    public int TimedSteps { get; init; }
    public double ImagesPerSecond { get; init; }
    public double MflopPerImageStep { get; init; }
    public double AchievedGflops { get; init; }

    /// <summary>Images per second the measured peak of this precision would allow: peak / FLOPs per image-step.</summary>
    public double ComputeBoundImagesPerSecond { get; init; }

    /// <summary>ImagesPerSecond / ComputeBoundImagesPerSecond: the figure to compare across machines.</summary>
    public double FractionOfBound { get; init; }

    public required StepTimings StepSeconds { get; init; }

    /// <summary>Peak resident memory while this step kind ran (VmHWM reset before it), or the process peak where that cannot be reset.</summary>
    public long PeakRssBytes { get; init; }
}
