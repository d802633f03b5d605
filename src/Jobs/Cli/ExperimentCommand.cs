using System.CommandLine;
using DigitGan.Jobs.Benchmarks;
using DigitGan.Jobs.Model;
using DigitGan.Shared.Runs;
using Spectre.Console;

namespace DigitGan.Jobs.Cli;

/// <summary>
/// `experiment`: trains a quality plan's runs (the ablation, or a preset over seeds) and prints and writes its table
/// (results.md, results.json and the grids in --out). Runs already finished in the store are scored, not retrained,
/// so a long plan can be run in parts.
/// </summary>
public static class ExperimentCommand
{
    public static Command Create()
    {
        var plan = DigitGanCli.Option("--plan", "Which experiment: ablation (each change alone and together, 5 epochs), first-look or improved (the preset over seeds), precision (the tutorial for 5 epochs in fp32 and bf16, with a parity table).", "ablation")
            .AcceptOnlyFromAmong([.. QualityPlan.Names]);
        var only = new Option<string[]>("--only") { Description = "Train and report only these variants (repeat the flag); default: all of the plan's.", HelpName = "VARIANT" };
        var seeds = new Option<long[]>("--seed") { Description = "Seeds to train each variant with (repeat the flag); default: the plan's (ablation: 0; presets and precision: 0, 1, 2).", HelpName = "N" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch (default: all cores)." };
        threads.Positive(1024);
        var store = DigitGanCli.StoreOption();
        var output = DigitGanCli.Option("--out", "Folder for results.md, results.json and the grids.", "experiment-results");
        var device = DigitGanCli.Option("--device", "auto, cpu or cuda.", "auto").AcceptOnlyFromAmong("auto", "cpu", "cuda");
        var command = new Command("experiment", "Train a quality plan (ablation or preset over seeds) and print its table of IS, FID and classes per epoch.")
        {
            plan, only, seeds, threads, store, output, device,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var chosen = QualityPlan.Get(parse.GetValue(plan)!);
            var variants = parse.GetValue(only) ?? [];
            if (variants.FirstOrDefault(v => chosen.Variants.All(known => known.Name != v)) is { } unknown)
            {
                throw new DigitGanCli.UsageException($"--only: plan {chosen.Name} has no variant '{unknown}'; it has {string.Join(", ", chosen.Variants.Select(v => v.Name))}.");
            }

            if (parse.GetValue(seeds) is { Length: > 0 } given && given.Any(s => s < 0))
            {
                throw new DigitGanCli.UsageException("--seed: seeds are 0 or more.");
            }

            var runSeeds = parse.GetValue(seeds) is { Length: > 0 } list ? list : chosen.Seeds;
            var runDevice = TorchRuntime.SelectDevice(parse.GetValue(device));
            var threadCount = TorchRuntime.ConfigureThreads(parse.GetValue(threads));
            var artifacts = DigitGanCli.OpenStore(parse.GetValue(store));
            await DigitGanCli.EnsureDatasetsAsync(artifacts, cancellationToken).ConfigureAwait(false);
            var folder = Path.GetFullPath(parse.GetValue(output)!);
            var experiment = new QualityExperiment(new RunRepository(artifacts), runDevice, threadCount, _ => new ConsoleTrainingObserver(null), AnsiConsole.WriteLine);
            var rows = await experiment.RunAsync(chosen, variants, runSeeds, folder, cancellationToken).ConfigureAwait(false);

            var machine = $"{TrainingBenchmark.CpuModel()}, {Environment.ProcessorCount} cores, {threadCount} threads, {runDevice.type} (flags: {TrainingBenchmark.CpuFlags()})";
            var commandLine = $"DigitGan.Jobs experiment --plan {chosen.Name}{string.Concat(variants.Select(v => $" --only {v}"))}{string.Concat(runSeeds.Select(s => $" --seed {s}"))}";
            var markdown = QualityExperiment.Markdown(chosen, rows, machine, commandLine);
            await File.WriteAllTextAsync(Path.Combine(folder, "results.md"), markdown, cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(folder, "results.json"), QualityExperiment.Json(chosen, rows, machine, commandLine), cancellationToken).ConfigureAwait(false);
            Console.WriteLine(markdown);
            Console.WriteLine($"Written to {folder}/results.md and results.json.");
            return 0;
        });
        return command;
    }
}
