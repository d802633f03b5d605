using DigitGan.Jobs.Cli;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using Microsoft.Extensions.Options;

namespace DigitGan.Web.Services;

/// <summary>
/// At start, before the in-process worker takes jobs (it is registered first): makes sure the store has MNIST and
/// the classifier (imported from the setup cache when missing), enqueues the runs that were left unfinished, and
/// optionally submits a first quick run.
/// </summary>
public sealed class StartupService(RunService runs, IOptions<DigitGanOptions> options, ILogger<StartupService> logger) : IHostedService
{
    public static RunSpec QuickRun => new() { Name = "quick-check", Tags = ["quick-check"], Epochs = 1, TrainSubset = 6_000, EvaluationSamples = 2_000 };

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartAsync(CancellationToken stoppingToken)
    {
        try
        {
            var store = runs.Store;
            if (!await Shared.Datasets.MnistDataset.IsImportedAsync(store, stoppingToken).ConfigureAwait(false))
            {
                if (File.Exists(Path.Combine(DataPaths.MnistCache, Shared.Datasets.MnistFiles.TrainImages)))
                {
                    await ImportMnistCommand.EnsureImportedAsync(store, stoppingToken).ConfigureAwait(false);
                }
                else
                {
                    logger.LogWarning("MNIST is not in the store at {Store}: runs will fail until it is. {Hint}", store.Description, Shared.Datasets.MnistDataset.SetupHint);
                }
            }

            if (!await TrainClassifierCommand.EnsureImportedAsync(store, stoppingToken).ConfigureAwait(false))
            {
                logger.LogWarning("No digit classifier in the store: runs train without quality metrics. {Hint}", Jobs.Evaluation.ClassifierStore.EnableHint);
            }

            await runs.RequeueUnfinishedAsync(stoppingToken).ConfigureAwait(false);
            if (options.Value.SubmitQuickRunWhenEmpty && (await runs.ListAsync(new RunQuery { PageSize = 1 }, stoppingToken).ConfigureAwait(false)).Total == 0)
            {
                var run = await runs.SubmitAsync(QuickRun, stoppingToken).ConfigureAwait(false);
                logger.LogInformation("Submitted a first quick run to browse: {RunId}.", run.RunId);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError("Start-up checks failed: {Error}", ex.Message);
        }
    }
}
