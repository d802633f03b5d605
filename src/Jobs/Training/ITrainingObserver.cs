using DigitGan.Shared.Runs;

namespace DigitGan.Jobs.Training;

/// <summary>Receives what a run does as it happens (the CLI draws progress from it; the worker logs it).</summary>
public interface ITrainingObserver
{
    void Message(string text);
    void EpochStarted(int epoch, int totalEpochs, int steps);
    void StepCompleted(int epoch, int step, int steps, StepResult result, double imagesPerSecond);
    void EpochCompleted(EpochMetrics metrics, int totalEpochs, double? etaSeconds);
    void EvaluationCompleted(EvaluationMetrics metrics);
    void HealthFlagRaised(HealthFlag flag);
}
