using DigitGan.Shared.Runs;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Training;

/// <summary>
/// A run while it trains: trainer, images, the metrics lines not yet appended to metrics.jsonl, health monitor, and
/// this process's epoch flags and times. Written lines are not kept: memory stays flat however long the run.
/// </summary>
public sealed class TrainingRunState
{
    private readonly System.Text.StringBuilder pending = new();
    private readonly List<EvaluationMetrics> keptEvaluations;
    private readonly List<double> epochSeconds = [];
    private List<HealthFlag> epochFlags = [];

    /// <param name="images">The training images, [N, 1, 28, 28] in [-1, 1] on the trainer's device.</param>
    /// <param name="metricsLines">The lines of metrics.jsonl kept from the epochs up to <paramref name="startEpoch"/>.</param>
    public TrainingRunState(Guid runId, DcganTrainer trainer, Tensor images, int stepsPerEpoch, int startEpoch, List<string> metricsLines)
    {
        (RunId, Trainer, Images, StepsPerEpoch, StartEpoch) = (runId, trainer, images, stepsPerEpoch, startEpoch);
        keptEvaluations = [.. metricsLines.Select(MetricsLines.Parse).OfType<EvaluationMetrics>()];
        ReplayHealth(metricsLines);
    }

    public Guid RunId { get; }
    public DcganTrainer Trainer { get; }
    public Tensor Images { get; }
    public int StepsPerEpoch { get; }

    /// <summary>Why the run resumed from an older checkpoint than latest.ckpt (it did not check out); null when it did not.</summary>
    public string? CheckpointFallback { get; init; }

    /// <summary>The epoch the run resumes after (0 for a new run).</summary>
    public int StartEpoch { get; }

    public RunHealthMonitor Health { get; } = new();

    /// <summary>The health flags raised in the current epoch, for the manifest once the epoch is saved.</summary>
    public IReadOnlyList<HealthFlag> EpochFlags => epochFlags;

    /// <summary>Mean wall time of the epochs trained in this process so far; null before the first.</summary>
    public double? SecondsPerEpoch => epochSeconds.Count > 0 ? epochSeconds.Average() : null;

    /// <summary>The evaluations kept from before <see cref="StartEpoch"/>.</summary>
    public IReadOnlyList<EvaluationMetrics> Evaluations => keptEvaluations;

    /// <summary>Whether lines wait to be appended.</summary>
    public bool HasPendingMetrics => pending.Length > 0;

    /// <summary>The lines added since the last call, newline-terminated, to append to metrics.jsonl; they are no longer kept.</summary>
    public string TakePendingMetrics()
    {
        var text = pending.ToString();
        pending.Clear();
        return text;
    }

    public void BeginEpoch() => epochFlags = [];

    public void Add(MetricsRecord record) => pending.Append(MetricsLines.Format(record)).Append('\n');

    public void EndEpoch(EpochMetrics summary)
    {
        epochSeconds.Add(summary.Seconds);
        Add(summary);
    }

    public void RecordFlag(HealthFlag flag)
    {
        epochFlags.Add(flag);
        Add(new HealthRecord { Epoch = flag.Epoch, Flag = flag });
    }

    /// <summary>Feeds the kept metrics of a resumed run back through the monitor, so flags fire exactly as without the interruption.</summary>
    private void ReplayHealth(List<string> metricsLines)
    {
        foreach (var record in metricsLines.Select(MetricsLines.Parse))
        {
            _ = record switch
            {
                StepMetrics step => Health.ObserveStep(step.Epoch, step.GlobalStep, step.DReal, step.DFake),
                EvaluationMetrics evaluation => Health.ObserveEvaluation(evaluation.Epoch, evaluation.ClassesAtLeast5Percent),
                _ => null,
            };
        }
    }
}
