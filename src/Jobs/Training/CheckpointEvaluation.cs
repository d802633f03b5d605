using DigitGan.Jobs.Evaluation;

namespace DigitGan.Jobs.Training;

/// <summary>Scores a checkpoint's generator as training does: on the run's fixed evaluation noise.</summary>
public static class CheckpointEvaluation
{
    /// <param name="samples">Digits to generate; null: the run's own evaluation sample count.</param>
    public static EvaluationReport Score(QualityEvaluator evaluator, byte[] bytes, string source, int? samples)
    {
        var (header, loaded) = Checkpoint.LoadGenerator(bytes, source);
        using var generator = loaded;
        using var noise = QualityEvaluator.EvaluationNoise(header.Spec with { EvaluationSamples = samples ?? header.Spec.EvaluationSamples });
        return new EvaluationReport
        {
            Source = source,
            SourceKind = "checkpoint",
            RunId = header.RunId,
            ClassifierSha256 = evaluator.Classifier.Sha256,
            ClassifierTestAccuracy = evaluator.Classifier.TestAccuracy,
            Metrics = evaluator.ScoreGenerator(generator, noise, header.Epoch),
        };
    }
}
