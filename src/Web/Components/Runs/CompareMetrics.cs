using System.Globalization;
using DigitGan.Shared.Runs;

namespace DigitGan.Web.Components.Runs;

/// <summary>
/// The compare page's metrics table (final, best and at the slider's epoch, per run) and its warnings when the runs'
/// evaluations are not comparable: different sample counts (FID is biased upward at small counts), classifiers or
/// discriminator ranking (sampleKeep).
/// </summary>
public static class CompareMetrics
{
    public static IReadOnlyList<CompareMetricRow> Rows(IReadOnlyList<(RunManifest Manifest, RunHistory History)> runs, int epoch)
    {
        CompareMetricRow Row(string metric, Func<RunManifest, RunHistory, double?> value, string format)
            => new(metric, [.. runs.Select(r => value(r.Manifest, r.History) is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "")]);

        static EpochMetrics? EpochAt(RunHistory history, int epoch) => history.Epochs.LastOrDefault(e => e.Epoch == epoch);

        return
        [
            Row("Final FID", (m, _) => m.LatestEvaluation?.Fid, "0.0"),
            Row("Best FID", (m, h) => m.BestFid ?? (h.Evaluations.Count > 0 ? h.Evaluations.Min(e => e.Fid) : null), "0.0"),
            Row($"FID at epoch {epoch}", (_, h) => h.EvaluationAt(epoch)?.Fid, "0.0"),
            Row("Final IS", (m, _) => m.LatestEvaluation?.InceptionScore, "0.00"),
            Row("Best IS", (_, h) => h.Evaluations.Count > 0 ? h.Evaluations.Max(e => e.InceptionScore) : null, "0.00"),
            Row($"IS at epoch {epoch}", (_, h) => h.EvaluationAt(epoch)?.InceptionScore, "0.00"),
            Row("Final classes at 5%", (m, _) => m.LatestEvaluation?.ClassesAtLeast5Percent, "0"),
            Row($"Classes at 5% at epoch {epoch}", (_, h) => h.EvaluationAt(epoch)?.ClassesAtLeast5Percent, "0"),
            Row("Final D loss", (m, _) => m.LatestEpoch?.DLoss, "0.000"),
            Row("Final G loss", (m, _) => m.LatestEpoch?.GLoss, "0.000"),
            Row($"D loss at epoch {epoch}", (_, h) => EpochAt(h, epoch)?.DLoss, "0.000"),
            Row($"G loss at epoch {epoch}", (_, h) => EpochAt(h, epoch)?.GLoss, "0.000"),
            Row("Evaluation samples", (m, h) => (m.LatestEvaluation ?? h.Evaluations.LastOrDefault())?.Samples, "0"),
            Row("Epochs trained", (m, _) => m.Progress.Epoch, "0"),
            Row("Minutes training", (m, _) => m.TrainingSeconds > 0 ? m.TrainingSeconds / 60 : null, "0.0"),
            Row("Images/s", (m, _) => m.Progress.ImagesPerSecond > 0 ? m.Progress.ImagesPerSecond : null, "0"),
        ];
    }

    /// <summary>Why the runs' FIDs and scores do not compare, one sentence each; empty when they do.</summary>
    public static IReadOnlyList<string> Warnings(IReadOnlyList<(RunManifest Manifest, RunHistory History)> runs)
    {
        var warnings = new List<string>();
        var samples = runs.Where(r => r.History.Evaluations.Count > 0)
            .Select(r => (r.Manifest.Spec.Name, Counts: r.History.Evaluations.Select(e => e.Samples).Distinct().Order().ToList())).ToList();
        if (samples.SelectMany(s => s.Counts).Distinct().Skip(1).Any())
        {
            warnings.Add("These evaluations used different sample counts (" + string.Join("; ", samples.Select(s => $"{s.Name}: {string.Join(", ", s.Counts.Select(c => c.ToString("N0", CultureInfo.InvariantCulture)))}"))
                + "). FID is biased upward at small counts, so compare FIDs only at equal counts.");
        }

        var classifiers = runs.Where(r => r.History.Evaluations.Any(e => e.Classifier is not null))
            .Select(r => (r.Manifest.Spec.Name, Ids: r.History.Evaluations.Select(e => e.Classifier).OfType<string>().Distinct().ToList())).ToList();
        if (classifiers.SelectMany(c => c.Ids).Distinct().Skip(1).Any())
        {
            warnings.Add("These evaluations were scored by different classifiers (" + string.Join("; ", classifiers.Select(c => $"{c.Name}: {string.Join(", ", c.Ids)}"))
                + "). FID, IS and class coverage from different classifiers do not compare.");
        }

        var ranked = runs.Where(r => r.History.Evaluations.Count > 0).Select(r => (r.Manifest.Spec.Name, r.Manifest.Spec.SampleKeep)).ToList();
        if (ranked.Select(r => r.SampleKeep).Distinct().Skip(1).Any())
        {
            warnings.Add("These runs score different shares of the digits they draw (sampleKeep " + string.Join("; ", ranked.Select(r => $"{r.Name}: {r.SampleKeep.ToString("0.##", CultureInfo.InvariantCulture)}"))
                + "): a run below 1 scores only the digits its discriminator ranks most real, which raises IS. To compare the generators alone, score their checkpoints with the same DigitGan.Jobs evaluate --sample-keep.");
        }

        return warnings;
    }
}
