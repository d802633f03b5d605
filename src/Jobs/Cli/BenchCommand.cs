using System.CommandLine;
using System.Text.Json;
using DigitGan.Jobs.Benchmarks;
using DigitGan.Jobs.Model;
using DigitGan.Shared.Artifacts;
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

            var report = TrainingBenchmark.Run(kinds, parse.GetValue(batchSize), parse.GetValue(warmup), parse.GetValue(steps), runDevice, threadCount, AnsiConsole.WriteLine, cancellationToken);
            var table = new Table().AddColumns("step", "images/s", "GFLOP/s", "MFLOP/img-step", "bound img/s", "fraction of bound", "step s (min/median/max)", "peak RSS MiB");
            foreach (var r in report.Results)
            {
                table.AddRow(r.Step, $"{r.ImagesPerSecond:F1}", $"{r.AchievedGflops:F1}", $"{r.MflopPerImageStep:F1}", $"{r.ComputeBoundImagesPerSecond:F1}", $"{r.FractionOfBound:F3}", $"{r.StepSeconds.Min:F3} / {r.StepSeconds.Median:F3} / {r.StepSeconds.Max:F3}", $"{r.PeakRssBytes / 1048576.0:F0}");
            }

            AnsiConsole.Write(table);
            var (peak, before, after) = (report.Peak, report.PeakBefore, report.PeakAfter);
            AnsiConsole.MarkupLineInterpolated($"float32 peak: {peak.Gflops:F1} GFLOP/s (torch.mm {peak.MatmulGflops:F1}, 1x1 conv {peak.Conv1x1Gflops:F1}; before {before.Gflops:F1}, after {after.Gflops:F1}); peak RSS {report.PeakRssBytes / 1048576.0:F0} MiB");
            var path = Path.GetFullPath(parse.GetValue(output)!);
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, ArtifactJson.Options), cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"Wrote {path}");
            return 0;
        });
        return command;
    }
}
