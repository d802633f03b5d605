using System.CommandLine;
using System.Globalization;
using System.Text;
using DigitGan.Jobs.Evaluation;
using DigitGan.Shared.Datasets;

namespace DigitGan.Jobs.Cli;

/// <summary>`calibrate-metrics`: scores digit sets with known flaws and prints (and writes) the table that docs/metrics.md shows.</summary>
public static class CalibrateMetricsCommand
{
    public static Command Create()
    {
        var samples = DigitGanCli.Option("--samples", "Digits per case (compare with runs evaluated at the same count).", 10_000);
        samples.Positive(50_000);
        var output = DigitGanCli.Option("--out", "Markdown file for the table.", "metrics-calibration.md");
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch (default: all cores)." };
        threads.Positive(1024);
        var store = DigitGanCli.StoreOption();
        var command = new Command("calibrate-metrics", "Score digit sets with known flaws (one class, noise, shift, blur, ...) to show what FID, IS and class counts mean.")
        {
            samples, output, threads, store,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (artifacts, evaluator) = await DigitGanCli.OpenEvaluatorAsync(parse.GetValue(store), parse.GetValue(threads), cancellationToken).ConfigureAwait(false);
            using var scoring = evaluator;
            var train = await MnistDataset.LoadAsync(artifacts, train: true, cancellationToken).ConfigureAwait(false);
            var rows = MetricsCalibration.Run(evaluator, train, parse.GetValue(samples), evaluator.Device);

            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"Classifier {evaluator.Classifier.Sha256[..12]} ({evaluator.Classifier.Recipe ?? "shifts only"}, test accuracy {evaluator.Classifier.TestAccuracy:P2}); `DigitGan.Jobs calibrate-metrics --samples {parse.GetValue(samples)}`.\n\n");
            text.Append("| digits | samples | FID | FID / floor | IS | classes >= 5% | confidence |\n| --- | --- | --- | --- | --- | --- | --- |\n");
            foreach (var (name, m) in rows)
            {
                text.Append(CultureInfo.InvariantCulture, $"| {name} | {m.Samples:N0} | {m.Fid:0.000} | {m.Fid / m.FidFloor:0.0} | {m.InceptionScore:0.00} | {m.ClassesAtLeast5Percent} | {m.Confidence:0.000} |\n");
            }

            await File.WriteAllTextAsync(parse.GetValue(output)!, text.ToString(), cancellationToken).ConfigureAwait(false);
            Console.Write(text);
            return 0;
        });
        return command;
    }
}
