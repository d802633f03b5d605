using System.CommandLine;
using System.Globalization;
using DigitGan.Jobs.Remote;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Runs;
using Spectre.Console;

namespace DigitGan.Jobs.Cli;

/// <summary>The `DigitGan.Jobs` command line: train, sample, bench, import-mnist, train-classifier, evaluate, worker, submit, runs, export, gc (and the hidden run-spec-docs).</summary>
public static class DigitGanCli
{
    public const int UsageError = 2;
    public const int Failure = 1;
    public const int Interrupted = 130;

    public static RootCommand Build() => new("DigitGan: trains the TensorFlow-tutorial DCGAN on MNIST with TorchSharp.")
    {
        TrainCommand.Create(),
        SampleCommand.Create(),
        BenchCommand.Create(),
        ExperimentCommand.Create(),
        ImportMnistCommand.Create(),
        TrainClassifierCommand.Create(),
        EvaluateCommand.Create(),
        CalibrateMetricsCommand.Create(),
        WorkerCommand.Create(),
        SubmitCommand.Create(),
        SweepCommand.Create(),
        RunsCommand.Create(),
        ExportCommand.Create(),
        RunSpecDocsCommand.Create(),
        OneDnnProbeCommand.Create(),
        GcCommand.Create(),
    };

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        if (Console.IsOutputRedirected)
        {
            // Logs and CI: one line per message, not wrapped at an assumed 80 columns.
            AnsiConsole.Profile.Width = 400;
        }

        var parse = Build().Parse(args);
        var stderr = error ?? Console.Error;
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                await stderr.WriteLineAsync($"error: {problem.Message}").ConfigureAwait(false);
            }

            await stderr.WriteLineAsync("Run with --help to see the verbs and their options.").ConfigureAwait(false);
            return UsageError;
        }

        var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = output ?? Console.Out, Error = stderr };
        try
        {
            return await parse.InvokeAsync(configuration).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("Interrupted.").ConfigureAwait(false);
            return Interrupted;
        }
        catch (Exception ex) when (ex is UsageException or RunSpecException or DigitGanConfigurationException or ApiKeyRejectedException)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return UsageError;
        }
        catch (Exception ex) when (IsExpected(ex))
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return Failure;
        }
        catch (Exception ex)
        {
            // Anything else is a bug: say so plainly; the trace only on request.
            await stderr.WriteLineAsync($"error: unexpected {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            await stderr.WriteLineAsync(Environment.GetEnvironmentVariable("DIGITGAN_DEBUG") == "1"
                ? ex.ToString()
                : "Set DIGITGAN_DEBUG=1 to see the stack trace, and please report it.").ConfigureAwait(false);
            return Failure;
        }
    }

    private static bool IsExpected(Exception ex) => ex is InvalidDataException or FileNotFoundException or DirectoryNotFoundException
        or RunNotFoundException or RunLeasedException or NonFiniteTrainingException or ArtifactConflictException or ArgumentException or UnauthorizedAccessException;

    /// <summary>An option whose value is wrong in a way the parser cannot see (exit code 2).</summary>
    public sealed class UsageException(string message) : Exception(message);

    internal static Option<T> Option<T>(string name, string description, T defaultValue) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue };

    internal static Option<string?> StoreOption() =>
        new("--store") { Description = "Artifact store folder. Default: the store that DigitGan__Storage__* environment variables configure (e.g. Azure Blob), else the embedded default's data folder." };

    /// <summary>
    /// The store a verb works on: the --store folder; else the one the DigitGan__Storage__* environment variables
    /// configure (the web app's and the workers' settings, e.g. Blob + a connection string); else the embedded default.
    /// </summary>
    internal static IArtifactStore OpenStore(string? folder)
    {
        if (folder is not null)
        {
            return new FileArtifactStore(folder);
        }

        var configured = Microsoft.Extensions.Configuration.EnvironmentVariablesExtensions.AddEnvironmentVariables(new Microsoft.Extensions.Configuration.ConfigurationBuilder()).Build().GetSection("DigitGan:Storage");
        return Microsoft.Extensions.Configuration.ConfigurationExtensions.Exists(configured)
            ? ArtifactStoreFactory.Create(Microsoft.Extensions.Configuration.ConfigurationBinder.Get<StorageOptions>(configured) ?? new StorageOptions(), DataPaths.DefaultStore)
            : new FileArtifactStore(DataPaths.DefaultStore);
    }

    /// <summary>Imports MNIST and the classifier from the setup cache into a store that lacks them, saying so.</summary>
    /// <summary>The store of --store with MNIST and the classifier in it, libtorch's threads set, and the stored classifier's evaluator.</summary>
    internal static async Task<(IArtifactStore Store, Evaluation.QualityEvaluator Evaluator)> OpenEvaluatorAsync(string? store, int? threads, CancellationToken cancellationToken)
    {
        var artifacts = OpenStore(store);
        var device = Model.TorchRuntime.SelectDevice();
        Model.TorchRuntime.ConfigureThreads(threads);
        await EnsureDatasetsAsync(artifacts, cancellationToken).ConfigureAwait(false);
        return (artifacts, await Evaluation.EvaluationReports.LoadEvaluatorAsync(artifacts, device, cancellationToken).ConfigureAwait(false));
    }

    internal static async Task EnsureDatasetsAsync(IArtifactStore store, CancellationToken cancellationToken)
    {
        if (await MnistDataset.EnsureImportedAsync(store, DataPaths.MnistCache, cancellationToken).ConfigureAwait(false))
        {
            Console.WriteLine($"Imported MNIST from {DataPaths.MnistCache} into {store.Description}.");
        }

        await ClassifierFiles.EnsureImportedAsync(store, DataPaths.ClassifierCache, cancellationToken).ConfigureAwait(false);
    }

    internal static void Positive(this Option<int> option, int max = int.MaxValue) => option.Validators.Add(result =>
    {
        var value = result.GetValueOrDefault<int>();
        if (value < 1 || value > max)
        {
            result.AddError($"{option.Name} must be between 1 and {max} (got {value}).");
        }
    });

    /// <summary>--sample-keep for commands that draw from a checkpoint: overrides the run's discriminator ranking.</summary>
    internal static Option<double?> SampleKeepOption()
    {
        var option = new Option<double?>("--sample-keep")
        {
            Description = $"Draw n / this many digits and keep the n the checkpoint's discriminator scores most real ({RunSpec.MinSampleKeep.ToString(CultureInfo.InvariantCulture)}-1; 1 keeps every digit). Default: the run's own sampleKeep.",
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is { } value && !RunSpec.IsValidSampleKeep(value))
            {
                result.AddError($"--sample-keep must be between {RunSpec.MinSampleKeep.ToString(CultureInfo.InvariantCulture)} and 1 (got {value.ToString(CultureInfo.InvariantCulture)}).");
            }
        });
        return option;
    }

    internal static void Positive(this Option<int?> option, int max = int.MaxValue) => option.Validators.Add(result =>
    {
        if (result.GetValueOrDefault<int?>() is { } value && (value < 1 || value > max))
        {
            result.AddError($"{option.Name} must be between 1 and {max} (got {value}).");
        }
    });
}
