using System.Diagnostics;
using DigitGan.Jobs.Model;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Benchmarks;

/// <summary>
/// Times training steps of the real model on synthetic batches, in each precision asked for, and relates each rate
/// to that precision's matrix-product peak measured in the same process (the faster of torch.mm and the same
/// product as a 1x1 convolution, since on AMD CPUs libtorch's mm path can reach only half of what its convolutions
/// reach).
/// </summary>
public static class TrainingBenchmark
{
    public const int PeakSize = 2048;

    /// <summary>Images in one epoch of the full training set: the <c>--epoch</c> window.</summary>
    public const int EpochImages = 60_000;

    /// <summary>
    /// Times each step kind in each precision (precisions side by side, so a slow spell of the machine hits both)
    /// between two measurements of each precision's peak; every result is rebased on its precision's higher peak.
    /// With <paramref name="epoch"/>, each is also timed over a whole epoch of steps, since these machines change
    /// speed for tens of seconds at a time.
    /// </summary>
    public static BenchmarkReport Run(IReadOnlyList<StepKind> kinds, IReadOnlyList<ScalarType> precisions, int batchSize, int warmup, int steps, bool epoch,
        Device device, int threads, Action<string> log, CancellationToken cancellationToken)
    {
        log($"Device {device.type}, {threads} threads; measuring the peak of {string.Join(" and ", precisions.Select(ComputePrecision.Name))} ...");
        var before = precisions.ToDictionary(p => p, p => MeasurePeak(p, device));
        var results = new List<StepBenchmarkResult>();
        var epochSteps = (EpochImages + batchSize - 1) / batchSize;
        foreach (var (window, count) in epoch ? new[] { ("steps", steps), ("epoch", epochSteps) } : [("steps", steps)])
        {
            foreach (var kind in kinds)
            {
                foreach (var precision in precisions)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    log($"Timing the {kind.ToString().ToLowerInvariant()} step in {ComputePrecision.Name(precision)}: {warmup} warm-up + {count} timed steps of {batchSize} images ({window}) ...");
                    results.Add(MeasureSteps(kind, precision, batchSize, warmup, count, device) with { Window = window });
                }
            }
        }

        // Each peak again afterwards; the higher of the two is the bound (conservative for the ratio).
        var peaks = precisions.Select(p => new PrecisionPeak(ComputePrecision.Name(p), before[p], MeasurePeak(p, device))).ToList();
        var oneDnn = device.type == DeviceType.CPU ? OneDnnProbe.Run(precisions, TimeSpan.FromMinutes(2)) : null;
        return new BenchmarkReport
        {
            Machine = new BenchmarkMachine(CpuModel(), Environment.ProcessorCount, threads, device.type.ToString(), CpuFlags()),
            CodeVersion = CodeVersion.Current,
            MeasuredAt = DateTimeOffset.UtcNow,
            Peaks = peaks,
            Results = [.. results.Select(r => Rebase(r, peaks.First(p => p.Precision == r.Precision).Peak.Gflops))],
            OneDnn = oneDnn,
        };
    }

    private static PeakMeasurement MeasurePeak(ScalarType precision, Device device, int repeats = 10)
    {
        using var scope = NewDisposeScope();
        using var generator = new TorchSharp.torch.Generator(1);
        var a = randn([PeakSize, PeakSize], generator: generator).to(precision).to(device);
        var b = randn([PeakSize, PeakSize], generator: generator).to(precision).to(device);
        var flops = 2.0 * PeakSize * PeakSize * PeakSize;
        var matmul = flops / BestSeconds(() => mm(a, b), repeats, device) / 1e9;

        // The same product as a 1x1 convolution: input [1, K, 32, 64] (K = 2048 channels, 2048 positions),
        // weight [N, K, 1, 1] (N = 2048 output channels).
        var input = a.t().contiguous().view(1, PeakSize, 32, PeakSize / 32);
        var weight = b.t().contiguous().view(PeakSize, PeakSize, 1, 1);
        var conv = flops / BestSeconds(() => nn.functional.conv2d(input, weight), repeats, device) / 1e9;
        return new PeakMeasurement(matmul, conv);
    }

    private static StepBenchmarkResult MeasureSteps(StepKind step, ScalarType precision, int batchSize, int warmup, int steps, Device device)
    {
        ResetPeakRss();
        var spec = new RunSpec { Step = step, BatchSize = batchSize, Seed = 7 };
        using var trainer = new DcganTrainer(spec, device, precision); // the format itself: fp16 (with its loss scaling) has no spec value of its own
        using var dataGenerator = new TorchSharp.torch.Generator(11);
        using var real = rand([batchSize, 1, 28, 28], generator: dataGenerator).mul_(2).sub_(1).to(device);
        for (var i = 0; i < warmup; i++)
        {
            trainer.Step(real);
            NativeMemory.ReleaseStepTensors(i + 1);
        }

        var times = new double[steps];
        var total = Stopwatch.StartNew();
        for (var i = 0; i < steps; i++)
        {
            var clock = Stopwatch.StartNew();
            trainer.Step(real); // reads the losses back, so the step has finished when it returns
            NativeMemory.ReleaseStepTensors(warmup + i + 1); // as the training loop does, so the timing includes it
            times[i] = clock.Elapsed.TotalSeconds;
        }

        var seconds = total.Elapsed.TotalSeconds;
        var flops = ModelCost.FlopsPerImageStep(step, spec.NoiseDim);
        var imagesPerSecond = (double)batchSize * steps / seconds;
        Array.Sort(times);
        return new StepBenchmarkResult // the bound comes with Rebase, once the peak is known
        {
            Step = step.ToString().ToLowerInvariant(),
            Precision = ComputePrecision.Name(precision),
            BatchSize = batchSize,
            WarmupSteps = warmup,
            TimedSteps = steps,
            ImagesPerSecond = imagesPerSecond,
            MflopPerImageStep = flops / 1e6,
            AchievedGflops = imagesPerSecond * flops / 1e9,
            StepSeconds = new StepTimings(times[0], times[steps / 2], times[^1]),
            PeakRssBytes = PeakRssBytes(),
        };
    }

    /// <summary>Peak resident set size of this process since start or since the last <see cref="ResetPeakRss"/>.</summary>
    public static long PeakRssBytes()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is not null && long.TryParse(line["VmHWM:".Length..].Trim().Split(' ')[0], out var kib))
            {
                return kib * 1024;
            }
        }
        catch (IOException)
        {
        }

        return Process.GetCurrentProcess().PeakWorkingSet64;
    }

    /// <summary>
    /// Linux: frees what earlier work left cached (the peak measurement, a previous step kind) back to the OS, then
    /// writes 5 to /proc/self/clear_refs to reset VmHWM, so each step kind's peak RSS is its own loop's.
    /// </summary>
    private static void ResetPeakRss()
    {
        NativeMemory.ReleaseUnownedTensors();
        NativeMemory.ReturnFreedMemoryToOs();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or not permitted: the figure is then the process-wide peak.
        }
    }

    private static StepBenchmarkResult Rebase(StepBenchmarkResult result, double peakGflops)
    {
        var bound = peakGflops * 1e3 / result.MflopPerImageStep;
        return result with { ComputeBoundImagesPerSecond = bound, FractionOfBound = result.ImagesPerSecond / bound };
    }

    /// <summary>The CPU's model name and family from /proc/cpuinfo.</summary>
    internal static string CpuModel()
    {
        try
        {
            var lines = File.ReadAllLines("/proc/cpuinfo");
            var model = lines.FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
            var family = lines.FirstOrDefault(l => l.StartsWith("cpu family", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
            return $"{model} (family {family})";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>The vector and matrix instruction-set flags of /proc/cpuinfo that decide libtorch's kernels (avx2, avx512*, amx*).</summary>
    internal static string CpuFlags()
    {
        try
        {
            var flags = File.ReadAllLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal))?.Split(':', 2)[1]
                .Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
            return string.Join(' ', flags.Where(f => f is "avx" or "avx2" or "fma" || f.StartsWith("avx512", StringComparison.Ordinal) || f.StartsWith("amx", StringComparison.Ordinal)));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static double BestSeconds(Func<Tensor> operation, int repeats, Device device)
    {
        operation().Dispose();
        var best = double.MaxValue;
        for (var i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            operation().Dispose();
            if (device.type == DeviceType.CUDA)
            {
                cuda.synchronize();
            }

            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }

        return best;
    }
}
