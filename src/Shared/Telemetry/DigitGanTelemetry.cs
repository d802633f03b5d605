using System.Diagnostics;
using System.Diagnostics.Metrics;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Runs;

namespace DigitGan.Shared.Telemetry;

/// <summary>
/// The ActivitySource and Meter DigitGan's own spans and instruments come from (both named "DigitGan"; the README
/// lists every span and instrument). Without a listener, as in the CLI, starting a span costs nothing and returns null.
/// </summary>
public static class DigitGanTelemetry
{
    public const string SourceName = "DigitGan";
    public const string MeterName = "DigitGan";

    public const string JobSpan = "hangfire.job";
    public const string EpochSpan = "training.epoch";
    public const string EvaluationSpan = "training.evaluation";

    public const string RunIdTag = "digitgan.run.id";
    public const string EpochTag = "digitgan.epoch";
    public const string DeviceTag = "digitgan.device";
    public const string StatusTag = "digitgan.run.status";
    public const string QueueTag = "digitgan.queue";

    public static ActivitySource Source { get; } = new(SourceName, CodeVersion.Current);

    public static Meter Meter { get; } = new(MeterName, CodeVersion.Current);

    public static Gauge<double> Throughput { get; } = Meter.CreateGauge<double>("digitgan.training.throughput", "{image}/s", "Images per second of the latest finished epoch.");

    public static Histogram<double> EpochDuration { get; } = Meter.CreateHistogram<double>("digitgan.training.epoch.duration", "s", "Seconds an epoch's training steps took.");

    public static Histogram<double> EvaluationDuration { get; } = Meter.CreateHistogram<double>("digitgan.evaluation.duration", "s", "Seconds an evaluation (FID, IS, class coverage) took.");

    public static Gauge<long> QueueLength { get; } = Meter.CreateGauge<long>("digitgan.queue.length", "{job}", "Jobs waiting in the training queue.");

    public static Gauge<long> Runs { get; } = Meter.CreateGauge<long>("digitgan.runs", "{run}", "Runs in the store by status.");

    public static Counter<long> LeaseRenewals { get; } = Meter.CreateCounter<long>("digitgan.lease.renewals", "{renewal}", "Run lease renewals that succeeded (blob store).");

    public static Counter<long> LeaseFailures { get; } = Meter.CreateCounter<long>("digitgan.lease.failures", "{failure}", "Run lease renewals that failed (blob store); three in a row lose the lease.");

    /// <summary>The span of one epoch: its steps, sample grid, evaluation and checkpoint.</summary>
    public static Activity? StartEpoch(Guid runId, int epoch, int totalEpochs) => Source.StartActivity(EpochSpan)
        ?.SetTag(RunIdTag, runId.ToString("D"))
        .SetTag(EpochTag, epoch)
        .SetTag("digitgan.epochs", totalEpochs);

    public static void EpochCompleted(Activity? span, EpochMetrics metrics, string device)
    {
        var tag = new KeyValuePair<string, object?>(DeviceTag, device);
        Throughput.Record(metrics.ImagesPerSecond, tag);
        EpochDuration.Record(metrics.Seconds, tag);
        span?.SetTag("digitgan.images_per_second", metrics.ImagesPerSecond).SetTag("digitgan.d_loss", metrics.DLoss).SetTag("digitgan.g_loss", metrics.GLoss);
    }

    public static Activity? StartEvaluation(Guid runId, int epoch) => Source.StartActivity(EvaluationSpan)
        ?.SetTag(RunIdTag, runId.ToString("D"))
        .SetTag(EpochTag, epoch);

    public static void EvaluationCompleted(Activity? span, EvaluationMetrics metrics)
    {
        EvaluationDuration.Record(metrics.Seconds);
        span?.SetTag("digitgan.fid", metrics.Fid).SetTag("digitgan.inception_score", metrics.InceptionScore);
    }
}
