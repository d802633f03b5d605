using DigitGan.Shared.Jobs;
using DigitGan.Shared.Runs;
using DigitGan.Shared.Telemetry;
using Hangfire;

namespace DigitGan.Web.Services;

/// <summary>
/// Records the queue length and the runs by status every <see cref="Interval"/>: one count of the queue and one read
/// of the run index per status, so the gauges cost nothing per request.
/// </summary>
public sealed class RunMetricsSampler(RunService runs, JobStorage queue, ILogger<RunMetricsSampler> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                await SampleAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        try
        {
            var enqueued = await Task.Run(() => queue.GetMonitoringApi().EnqueuedCount(ITrainingJob.Queue), cancellationToken).ConfigureAwait(false);
            DigitGanTelemetry.QueueLength.Record(enqueued, new KeyValuePair<string, object?>(DigitGanTelemetry.QueueTag, ITrainingJob.Queue));
            foreach (var status in Enum.GetValues<RunStatus>())
            {
                var page = await runs.ListAsync(new RunQuery { Status = status, PageSize = 1 }, cancellationToken).ConfigureAwait(false);
                DigitGanTelemetry.Runs.Record(page.Total, new KeyValuePair<string, object?>(DigitGanTelemetry.StatusTag, status.ToString()));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The health probe reports an unreachable store or queue; the gauges just skip this sample.
            logger.LogDebug("Queue and run gauges skipped a sample: {Error}", ex.Message);
        }
    }
}
