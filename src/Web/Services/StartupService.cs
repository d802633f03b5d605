using DigitGan.Shared.Datasets;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Runs;
using Microsoft.Extensions.Options;

namespace DigitGan.Web.Services;

/// <summary>
/// At start, before the local worker starts (it is registered after this): makes sure the store has MNIST and
/// the classifier (imported from the setup cache when missing), enqueues the runs that were left unfinished, and
/// optionally submits a first run (the first-look preset).
/// </summary>
public sealed class StartupService(RunService runs, IOptions<DigitGanOptions> options, ILogger<StartupService> logger) : IHostedService
{
    /// <summary>The first run submitted to an empty store: the first-look preset, digits within a few minutes on a CPU.</summary>
    public static RunSpec QuickRun => RunPresets.Get(RunPresets.FirstLook) with { Tags = ["first-look"] };

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartAsync(CancellationToken stoppingToken)
    {
        try
        {
            var store = runs.Store;
            if (File.Exists(Path.Combine(DataPaths.MnistCache, MnistFiles.TrainImages)))
            {
                if (await MnistDataset.EnsureImportedAsync(store, DataPaths.MnistCache, stoppingToken).ConfigureAwait(false))
                {
                    logger.LogInformation("Imported MNIST from {Cache} into {Store}.", DataPaths.MnistCache, store.Description);
                }
            }
            else if (!await MnistDataset.IsImportedAsync(store, stoppingToken).ConfigureAwait(false))
            {
                logger.LogWarning("MNIST is not in the store at {Store}: runs will fail until it is. {Hint}", store.Description, MnistDataset.SetupHint);
            }

            if (!await ClassifierFiles.EnsureImportedAsync(store, DataPaths.ClassifierCache, stoppingToken).ConfigureAwait(false))
            {
                logger.LogWarning("No digit classifier in the store: runs train without quality metrics. {Hint}", ClassifierFiles.EnableHint);
            }

            await runs.RequeueUnfinishedAsync(stoppingToken).ConfigureAwait(false);
            if (options.Value.SubmitQuickRunWhenEmpty && (await runs.ListAsync(new RunQuery { PageSize = 1 }, stoppingToken).ConfigureAwait(false)).Total == 0)
            {
                var run = await runs.SubmitAsync(QuickRun, Security.RunAccess.System, stoppingToken).ConfigureAwait(false);
                logger.LogInformation("Submitted a first-look run to browse: {RunId}.", run.RunId);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError("Start-up checks failed: {Error}", ex.Message);
        }
    }
}
