using DigitGan.Jobs.Evaluation;

namespace DigitGan.Jobs.Training;

/// <summary>Scores a checkpoint's generator as training does: on the run's fixed evaluation noise.</summary>
public static class CheckpointEvaluation
{
    /// <param name="samples">Digits to score; null: the run's own evaluation sample count.</param>
    /// <param name="sampleKeep">Discriminator ranking to score with (<see cref="Shared.Runs.RunSpec.SampleKeep"/>); null: the run's own.</param>
    public static EvaluationReport Score(QualityEvaluator evaluator, byte[] bytes, string source, int? samples, double? sampleKeep = null)
    {
        using var digits = Checkpoint.LoadDigits(bytes, source, sampleKeep);
        var header = digits.Header;
        var spec = header.Spec with { EvaluationSamples = samples ?? header.Spec.EvaluationSamples };
        using var noise = QualityEvaluator.EvaluationNoise(spec);
        return new EvaluationReport
        {
            Source = source,
            SourceKind = "checkpoint",
            RunId = header.RunId,
            ClassifierSha256 = evaluator.Classifier.Sha256,
            ClassifierTestAccuracy = evaluator.Classifier.TestAccuracy,
            SampleKeep = spec.SampleKeep,
            Metrics = evaluator.ScoreGenerator(digits.Generator, noise, header.Epoch, ranking: digits.Ranking, samples: spec.EvaluationSamples),
        };
    }

    /// <summary>
    /// What each cluster of the checkpoint's clustered latent prior draws, on the run's fixed evaluation noise without
    /// ranking (the digits `evaluate --sample-keep 1` scores).
    /// </summary>
    /// <exception cref="ArgumentException">The run has no clustered prior.</exception>
    public static IReadOnlyList<ClusterMetrics> ScoreClusters(QualityEvaluator evaluator, byte[] bytes, string source, int? samples)
    {
        using var digits = Checkpoint.LoadDigits(bytes, source, sampleKeep: 1);
        var header = digits.Header;
        RequireClusters(header, "--by-cluster");
        var spec = header.Spec with { EvaluationSamples = samples ?? header.Spec.EvaluationSamples };
        var (noise, cluster) = QualityEvaluator.EvaluationNoiseLabelled(spec);
        using (noise)
        using (cluster)
        {
            return evaluator.ScoreClusters(digits.Generator, noise, cluster!, spec.LatentClusters);
        }
    }

    /// <summary>The checkpoint's number of latent clusters; an error naming <paramref name="option"/> when its run has none.</summary>
    /// <exception cref="ArgumentException">The run draws standard normal noise.</exception>
    internal static int RequireClusters(CheckpointHeader header, string option) => header.Spec.LatentClusters is > 0 and var clusters
        ? clusters
        : throw new ArgumentException($"{option} needs a run trained with a clustered latent prior; run {header.RunId} draws standard normal noise (latentClusters 0).");
}
