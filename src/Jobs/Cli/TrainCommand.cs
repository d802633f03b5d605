using System.CommandLine;
using DigitGan.Jobs.Model;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using Spectre.Console;

namespace DigitGan.Jobs.Cli;

/// <summary>`train`: creates a run (or resumes one) in the store and trains it in this process.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var specOptions = new RunSpecOptions();
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch (default: all cores)." };
        threads.Positive(1024);
        var store = DigitGanCli.StoreOption();
        var resume = new Option<Guid?>("--resume") { Description = "Resume run RUN_ID from its latest checkpoint (other spec flags are ignored)." };
        var device = DigitGanCli.Option("--device", "auto (CUDA when available), cpu or cuda.", "auto").AcceptOnlyFromAmong("auto", "cpu", "cuda");

        var command = new Command("train", "Train the DCGAN and write the run's artifacts to the store.") { threads, store, resume, device };
        foreach (var option in specOptions.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var spec = specOptions.Read(parse);
            var resumeId = parse.GetValue(resume);
            if (resumeId is null)
            {
                RunSpecOptions.ThrowIfInvalid(spec.Validate());
            }

            var runDevice = TorchRuntime.SelectDevice(parse.GetValue(device));
            var threadCount = TorchRuntime.ConfigureThreads(parse.GetValue(threads));
            var artifacts = DigitGanCli.OpenStore(parse.GetValue(store));
            await DigitGanCli.EnsureDatasetsAsync(artifacts, cancellationToken).ConfigureAwait(false);
            var runs = new RunRepository(artifacts);
            var manifest = await RunStart.CreateOrResumeAsync(runs, spec, resumeId, cancellationToken).ConfigureAwait(false);

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
