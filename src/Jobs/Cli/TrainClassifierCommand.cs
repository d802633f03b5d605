using System.CommandLine;
using DigitGan.Jobs.Evaluation;

namespace DigitGan.Jobs.Cli;

/// <summary>
/// `train-classifier`: trains the MNIST digit classifier that quality metrics use, deterministically, and stores it
/// beside the dataset (and, with the default --epochs and --seed, in the setup cache, so that other stores can import
/// it). With a classifier of the same settings already in the store or the cache it only verifies and copies it; one of
/// other settings in the store is kept unless --force.
/// </summary>
public static class TrainClassifierCommand
{
    public static Command Create()
    {
        var epochs = DigitGanCli.Option("--epochs", "Training epochs over the 60,000 digits.", ClassifierTraining.DefaultEpochs);
        epochs.Positive(100);
        var seed = DigitGanCli.Option("--seed", "Seed of the classifier's random streams.", ClassifierTraining.DefaultSeed);
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch (default: all cores)." };
        threads.Positive(1024);
        var force = new Option<bool>("--force") { Description = "Train a new classifier even if one exists." };
        var store = DigitGanCli.StoreOption();
        var command = new Command("train-classifier", "Train the MNIST classifier behind the quality metrics (FID, IS, class coverage) and store it in datasets/mnist/classifier/.")
        {
            epochs, seed, threads, force, store,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var artifacts = DigitGanCli.OpenStore(parse.GetValue(store));
            await ClassifierSetup.EnsureAsync(artifacts, SetupCache.Default, parse.GetValue(epochs), parse.GetValue(seed), parse.GetValue(threads), parse.GetValue(force), Console.WriteLine, cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
