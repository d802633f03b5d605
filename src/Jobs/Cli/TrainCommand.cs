using System.CommandLine;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using Spectre.Console;

namespace DigitGan.Jobs.Cli;

/// <summary>`train`: creates a run (or resumes one) in the store and trains it in this process.</summary>
public static class TrainCommand
{
    private static readonly Dictionary<string, string> FlagOfField = new()
    {
        ["epochs"] = "--epochs",
        ["batchSize"] = "--batch-size",
        ["learningRate"] = "--lr",
        ["beta1"] = "--beta1",
        ["beta2"] = "--beta2",
        ["noiseDim"] = "--noise-dim",
        ["seed"] = "--seed",
        ["trainSubset"] = "--train-subset",
        ["checkpointEvery"] = "--checkpoint-every",
        ["maxStepsPerEpoch"] = "--max-steps",
        ["name"] = "--name",
        ["tags"] = "--tag",
        ["step"] = "--step",
        ["evaluateEvery"] = "--eval-every",
        ["evaluationSamples"] = "--eval-samples",
    };

    public static Command Create()
    {
        var defaults = new RunSpec();
        var epochs = DigitGanCli.Option("--epochs", "Epochs to train (the tutorial: 50).", defaults.Epochs);
        var batchSize = DigitGanCli.Option("--batch-size", "Images per step.", defaults.BatchSize);
        var lr = DigitGanCli.Option("--lr", "Adam learning rate of both networks.", defaults.LearningRate);
        var beta1 = DigitGanCli.Option("--beta1", "Adam beta1.", defaults.Beta1);
        var noiseDim = DigitGanCli.Option("--noise-dim", "Length of the generator's noise vector.", defaults.NoiseDim);
        var seed = DigitGanCli.Option("--seed", "Seed of every random stream of the run.", 0L);
        var checkpointEvery = DigitGanCli.Option("--checkpoint-every", "Keep a numbered checkpoint every N epochs (and at the end).", defaults.CheckpointEvery);
        var evalEvery = DigitGanCli.Option("--eval-every", "Score quality (FID, IS, class coverage) every N epochs and after the last; 0 turns it off.", defaults.EvaluateEvery);
        var evalSamples = DigitGanCli.Option("--eval-samples", "Digits generated per quality evaluation.", defaults.EvaluationSamples);
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch (default: all cores)." };
        threads.Positive(1024);
        var maxSteps = new Option<int?>("--max-steps") { Description = "Stop each epoch after N steps (a dry run)." };
        var subset = new Option<int?>("--train-subset") { Description = "Train on the first N training images instead of all 60,000." };
        var step = DigitGanCli.Option("--step", "Train step: shared (the tutorial's) or alternating.", "shared").AcceptOnlyFromAmong("shared", "alternating");
        var store = DigitGanCli.StoreOption();
        var resume = new Option<Guid?>("--resume") { Description = "Resume run RUN_ID from its latest checkpoint (other spec flags are ignored)." };
        var name = DigitGanCli.Option("--name", "A name for the run.", defaults.Name);
        var tags = new Option<string[]>("--tag") { Description = "A tag for the run (repeatable).", AllowMultipleArgumentsPerToken = false };
        var device = DigitGanCli.Option("--device", "auto (CUDA when available), cpu or cuda.", "auto").AcceptOnlyFromAmong("auto", "cpu", "cuda");

        var command = new Command("train", "Train the DCGAN and write the run's artifacts to the store.")
        {
            epochs, batchSize, lr, beta1, noiseDim, seed, checkpointEvery, evalEvery, evalSamples, threads, maxSteps, subset, step, store, resume, name, tags, device,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var spec = new RunSpec
            {
                Name = parse.GetValue(name)!,
                Tags = parse.GetValue(tags) ?? [],
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batchSize),
                LearningRate = parse.GetValue(lr),
                Beta1 = parse.GetValue(beta1),
                NoiseDim = parse.GetValue(noiseDim),
                Seed = parse.GetValue(seed),
                CheckpointEvery = parse.GetValue(checkpointEvery),
                EvaluateEvery = parse.GetValue(evalEvery),
                EvaluationSamples = parse.GetValue(evalSamples),
                MaxStepsPerEpoch = parse.GetValue(maxSteps),
                TrainSubset = parse.GetValue(subset),
                Step = parse.GetValue(step) == "alternating" ? StepKind.Alternating : StepKind.Shared,
            };
            var resumeId = parse.GetValue(resume);
            if (resumeId is null)
            {
                var errors = spec.Validate();
                if (errors.Count > 0)
                {
                    throw new DigitGanCli.UsageException(string.Join(Environment.NewLine + "error: ", errors.Select(e => $"{FlagOfField.GetValueOrDefault(e.Key, e.Key)}: {string.Join(" ", e.Value)}")));
                }
            }

            var runDevice = TorchRuntime.SelectDevice(parse.GetValue(device));
            var threadCount = TorchRuntime.ConfigureThreads(parse.GetValue(threads));
            var artifacts = DigitGanCli.OpenStore(parse.GetValue(store));
            await ImportMnistCommand.EnsureImportedAsync(artifacts, cancellationToken).ConfigureAwait(false);
            await TrainClassifierCommand.EnsureImportedAsync(artifacts, cancellationToken).ConfigureAwait(false);
            var runs = new RunRepository(artifacts);
            var manifest = resumeId is { } id
                ? await runs.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new RunNotFoundException(id)
                : await runs.CreateAsync(spec, TorchRuntime.CodeVersion, cancellationToken).ConfigureAwait(false);

            AnsiConsole.MarkupLineInterpolated($"Run [bold]{manifest.RunId}[/] ({manifest.Spec.Name}): {manifest.Spec.Epochs} epochs, batch {manifest.Spec.BatchSize}, {manifest.Spec.Step} step, seed {manifest.Spec.Seed}");
            AnsiConsole.MarkupLineInterpolated($"Folder: {(artifacts is FileArtifactStore files ? Path.Combine(files.Root, RunArtifactLayout.RunPrefix(manifest.RunId)) : $"{artifacts.Description}/{RunArtifactLayout.RunPrefix(manifest.RunId)}")}");
            AnsiConsole.MarkupLineInterpolated($"Device: {runDevice.type}, {threadCount} threads");

            RunManifest result;
            if (AnsiConsole.Profile.Capabilities.Interactive)
            {
                result = await AnsiConsole.Progress()
                    .AutoClear(true)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .StartAsync(ctx => new TrainingRunner(runs, new ConsoleTrainingObserver(ctx)).RunAsync(manifest.RunId, runDevice, threadCount, cancellationToken)).ConfigureAwait(false);
            }
            else
            {
                result = await new TrainingRunner(runs, new ConsoleTrainingObserver(null)).RunAsync(manifest.RunId, runDevice, threadCount, cancellationToken).ConfigureAwait(false);
            }

            AnsiConsole.MarkupLineInterpolated($"Run {result.RunId}: [bold]{result.Status}[/] after {ConsoleTrainingObserver.FormatDuration(result.TrainingSeconds)} of training.");
            return result.Status == RunStatus.Succeeded ? 0 : DigitGanCli.Failure;
        });
        return command;
    }
}
