using System.CommandLine;
using System.Text.Json;
using DigitGan.Jobs.Benchmarks;
using DigitGan.Jobs.Model;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using Spectre.Console;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Cli;

/// <summary>`bench`: training throughput per precision against the machine's peak in that precision; prints a table and writes JSON.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var step = DigitGanCli.Option("--step", "Which train step to time: shared, alternating, reuse, both (shared and alternating) or all three.", "both").AcceptOnlyFromAmong("shared", "alternating", "reuse", "both", "all");
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
        var precision = DigitGanCli.Option("--precision", "Which precisions to time: all (fp32, and the mixed format a run with precision Auto would use where the hardware has one: bf16, or fp16 on a CUDA 7.x GPU), fp32, bf16 or auto (what a run with precision Auto would use).", "all")
            .AcceptOnlyFromAmong("all", "fp32", "bf16", "auto");
        var epoch = new Option<bool>("--epoch") { Description = "Also time a whole epoch's worth of steps (60,000 images) per step kind and precision, next to the --steps window." };

        var command = new Command("bench", "Time training steps in each precision and compare them with that precision's peak measured in the same process.") { step, threads, batchSize, warmup, steps, output, device, precision, epoch };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var runDevice = TorchRuntime.SelectDevice(parse.GetValue(device));
            var threadCount = TorchRuntime.ConfigureThreads(parse.GetValue(threads));
            var kinds = parse.GetValue(step) switch
            {
                "shared" => new[] { StepKind.Shared },
                "alternating" => [StepKind.Alternating],
                "reuse" => [StepKind.Reuse],
                "all" => [StepKind.Shared, StepKind.Alternating, StepKind.Reuse],
                _ => [StepKind.Shared, StepKind.Alternating],
            };

            ScalarType[] precisions = parse.GetValue(precision) switch
            {
                "fp32" => [ScalarType.Float32],
                "bf16" => [ScalarType.BFloat16],
                "auto" => [ComputePrecision.Resolve(Precision.Auto, runDevice)],
                _ => ComputePrecision.Resolve(Precision.Auto, runDevice) is var native && native != ScalarType.Float32 ? [ScalarType.Float32, native] : [ScalarType.Float32],
            };
            if (parse.GetValue(precision) == "all" && precisions.Length == 1)
            {
                AnsiConsole.WriteLine("This machine has no native bfloat16 (no amx_bf16 or avx512_bf16 CPU flag, no GPU): timing fp32 only; --precision bf16 times libtorch's emulation.");
            }

            var report = TrainingBenchmark.Run(kinds, precisions, parse.GetValue(batchSize), parse.GetValue(warmup), parse.GetValue(steps), parse.GetValue(epoch),
                runDevice, threadCount, AnsiConsole.WriteLine, cancellationToken);
            var table = new Table().AddColumns("step", "precision", "window", "images/s", "x fp32", "GFLOP/s", "MFLOP/img-step", "bound img/s", "fraction of bound", "step s (min/median/max)", "peak RSS MiB");
            foreach (var r in report.Results)
            {
                table.AddRow(r.Step, r.Precision, $"{r.TimedSteps} steps{(r.Window == "epoch" ? " (epoch)" : "")}", $"{r.ImagesPerSecond:F1}", report.SpeedupOverFp32(r) is { } x ? $"{x:F2}" : "-",
                    $"{r.AchievedGflops:F1}", $"{r.MflopPerImageStep:F1}", $"{r.ComputeBoundImagesPerSecond:F1}", $"{r.FractionOfBound:F3}",
                    $"{r.StepSeconds.Min:F3} / {r.StepSeconds.Median:F3} / {r.StepSeconds.Max:F3}", $"{r.PeakRssBytes / 1048576.0:F0}");
            }

            AnsiConsole.Write(table);
            foreach (var p in report.Peaks)
            {
                AnsiConsole.MarkupLineInterpolated($"{p.Precision} peak: {p.Peak.Gflops:F1} GFLOP/s (torch.mm {p.Peak.MatmulGflops:F1}, 1x1 conv {p.Peak.Conv1x1Gflops:F1}; before {p.Before.Gflops:F1}, after {p.After.Gflops:F1})");
            }

            AnsiConsole.MarkupLineInterpolated($"peak RSS {report.PeakRssBytes / 1048576.0:F0} MiB; CPU {report.Machine.Cpu}; flags: {report.Machine.Flags}");
            if (report.OneDnn is { } oneDnn)
            {
                AnsiConsole.MarkupLineInterpolated($"oneDNN {oneDnn.Version}: isa {oneDnn.Isa ?? "unknown"}{(oneDnn.Error is null ? "" : $" ({oneDnn.Error})")}");
                foreach (var (name, kernels) in oneDnn.Kernels)
                {
                    AnsiConsole.MarkupLineInterpolated($"  {name}: {string.Join("; ", kernels)}");
                }
            }

            var path = Path.GetFullPath(parse.GetValue(output)!);
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, ArtifactJson.Options), cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"Wrote {path}");
            return 0;
        });
        return command;
    }
}
