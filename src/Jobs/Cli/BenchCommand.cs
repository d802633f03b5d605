using System.CommandLine;
using System.Text.Json;
using DigitGan.Jobs.Benchmarks;
using DigitGan.Jobs.Model;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Runs;
using Spectre.Console;

namespace DigitGan.Jobs.Cli;

/// <summary>`bench`: training throughput against the machine's measured float32 peak; prints a table and writes JSON.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var step = DigitGanCli.Option("--step", "Which train step to time: shared, alternating or both.", "both").AcceptOnlyFromAmong("shared", "alternating", "both");
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch (default: all cores)." };
        threads.Positive(1024);
        var batchSize = DigitGanCli.Option("--batch-size", "Images per step.", 256);
        batchSize.Positive(4096);
        var warmup = DigitGanCli.Option("--warmup", "Untimed steps first.", 10);
        warmup.Positive(10_000);
        var steps = DigitGanCli.Option("--steps", "Timed steps per step kind (use 100+: these machines switch speed every 25-75 steps).", 120);
        steps.Positive(100_000);
        var output = DigitGanCli.Option("--out", "JSON file for the results.", "bench-results.json");
        var device = DigitGanCli.Option("--device", "auto, cpu or cuda.", "auto").AcceptOnlyFromAmong("auto", "cpu", "cuda");

        var command = new Command("bench", "Time training steps and compare them with the float32 peak measured in the same process.") { step, threads, batchSize, warmup, steps, output, device };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var runDevice = TorchRuntime.SelectDevice(parse.GetValue(device));
            var threadCount = TorchRuntime.ConfigureThreads(parse.GetValue(threads));
            var kinds = parse.GetValue(step) switch
            {
                "shared" => new[] { StepKind.Shared },
                "alternating" => [StepKind.Alternating],
                _ => [StepKind.Shared, StepKind.Alternating],
            };

            AnsiConsole.MarkupLineInterpolated($"Device {runDevice.type}, {threadCount} threads; measuring the float32 peak ...");
            var peakBefore = TrainingBenchmark.MeasurePeak();
            var results = new List<StepBenchmarkResult>();
            foreach (var kind in kinds)
            {
                cancellationToken.ThrowIfCancellationRequested();
                AnsiConsole.MarkupLineInterpolated($"Timing the {kind.ToString().ToLowerInvariant()} step: {parse.GetValue(warmup)} warm-up + {parse.GetValue(steps)} timed steps of {parse.GetValue(batchSize)} images ...");
                results.Add(TrainingBenchmark.MeasureSteps(kind, parse.GetValue(batchSize), parse.GetValue(warmup), parse.GetValue(steps), peakBefore.Gflops, runDevice));
            }

            // The peak again afterwards; the higher of the two is the bound (conservative for the ratio).
            var peakAfter = TrainingBenchmark.MeasurePeak();
            var peak = peakAfter.Gflops > peakBefore.Gflops ? peakAfter : peakBefore;
            results = [.. results.Select(r => Rebase(r, peak.Gflops))];
            var peakRss = results.Max(r => r.PeakRssBytes);

            var table = new Table().AddColumns("step", "images/s", "GFLOP/s", "MFLOP/img-step", "bound img/s", "fraction of bound", "step s (min/median/max)", "peak RSS MiB");
            foreach (var r in results)
            {
                table.AddRow(r.Step, $"{r.ImagesPerSecond:F1}", $"{r.AchievedGflops:F1}", $"{r.MflopPerImageStep:F1}", $"{r.ComputeBoundImagesPerSecond:F1}", $"{r.FractionOfBound:F3}", $"{r.StepSeconds.Min:F3} / {r.StepSeconds.Median:F3} / {r.StepSeconds.Max:F3}", $"{r.PeakRssBytes / 1048576.0:F0}");
            }

            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated($"float32 peak: {peak.Gflops:F1} GFLOP/s (torch.mm {peak.MatmulGflops:F1}, 1x1 conv {peak.Conv1x1Gflops:F1}; before {peakBefore.Gflops:F1}, after {peakAfter.Gflops:F1}); peak RSS {peakRss / 1048576.0:F0} MiB");

            var report = new
            {
                machine = new { cpu = CpuModel(), cores = Environment.ProcessorCount, threads = threadCount, device = runDevice.type.ToString() },
                codeVersion = CodeVersion.Current,
                measuredAt = DateTimeOffset.UtcNow,
                peakGflops = peak.Gflops,
                peak,
                peakBefore,
                peakAfter,
                peakRssBytes = peakRss,
                results,
            };
            var path = Path.GetFullPath(parse.GetValue(output)!);
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, ArtifactJson.Options), cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"Wrote {path}");
            return 0;
        });
        return command;
    }

    private static StepBenchmarkResult Rebase(StepBenchmarkResult result, double peakGflops)
    {
        var bound = peakGflops * 1e3 / result.MflopPerImageStep;
        return result with { ComputeBoundImagesPerSecond = bound, FractionOfBound = result.ImagesPerSecond / bound };
    }

    private static string CpuModel()
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
}
