using DigitGan.Shared.Runs;
using Microsoft.Extensions.Logging;

namespace DigitGan.Jobs.Training;

/// <summary>Writes a run's progress to the log (the worker's console): one line per epoch, evaluation and flag.</summary>
public sealed class LoggingTrainingObserver(ILogger logger, Guid runId) : ITrainingObserver
{
    public void Message(string text) => logger.LogInformation("Run {RunId}: {Message}", runId, text);

    public void EpochStarted(int epoch, int totalEpochs, int steps)
    {
    }

    public void StepCompleted(int epoch, int step, int steps, StepResult result, double imagesPerSecond)
    {
    }

    public void EpochCompleted(EpochMetrics metrics, int totalEpochs, double? etaSeconds) => logger.LogInformation(
        "Run {RunId}: epoch {Epoch}/{Total} in {Seconds:F1} s, D loss {DLoss:F3}, G loss {GLoss:F3}, {ImagesPerSecond:F0} images/s",
        runId, metrics.Epoch, totalEpochs, metrics.Seconds, metrics.DLoss, metrics.GLoss, metrics.ImagesPerSecond);

    public void EvaluationCompleted(EvaluationMetrics metrics) => logger.LogInformation(
        "Run {RunId}: epoch {Epoch} FID {Fid:F2} (floor {Floor:F2}), IS {IS:F2}, {Classes} classes >= 5%",
        runId, metrics.Epoch, metrics.Fid, metrics.FidFloor, metrics.InceptionScore, metrics.ClassesAtLeast5Percent);

    public void HealthFlagRaised(HealthFlag flag) => logger.LogWarning("Run {RunId}: health flag {Flag} at epoch {Epoch}: {Detail}", runId, flag.Kind, flag.Epoch, flag.Detail);
}
