namespace DigitGan.Jobs.Benchmarks;

/// <summary>The timing of one train step kind and how close it came to the float32 peak.</summary>
public sealed record StepBenchmarkResult
{
    public required string Step { get; init; }
    public int BatchSize { get; init; }
    public int WarmupSteps { get; init; }
    public int TimedSteps { get; init; }
    public double ImagesPerSecond { get; init; }
    public double MflopPerImageStep { get; init; }
    public double AchievedGflops { get; init; }

    /// <summary>Images per second the measured peak would allow: peak / FLOPs per image-step.</summary>
    public double ComputeBoundImagesPerSecond { get; init; }

    /// <summary>ImagesPerSecond / ComputeBoundImagesPerSecond: the figure to compare across machines.</summary>
    public double FractionOfBound { get; init; }

    public required StepTimings StepSeconds { get; init; }

    /// <summary>Peak resident memory while this step kind ran (VmHWM reset before it), or the process peak where that cannot be reset.</summary>
    public long PeakRssBytes { get; init; }
}
