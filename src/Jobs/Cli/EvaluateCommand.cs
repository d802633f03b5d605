using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DigitGan.Jobs.Evaluation;
using DigitGan.Jobs.Model;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;

namespace DigitGan.Jobs.Cli;

/// <summary>
/// `evaluate`: scores a checkpoint's generator (on the run's fixed evaluation noise, as training does) or a folder
/// of 28x28 grayscale PNG digits with the stored classifier, prints the metrics and writes them as JSON.
/// </summary>
public static class EvaluateCommand
{
    public static Command Create()
    {
        var path = new Argument<string?>("path") { Description = "A checkpoint file (.ckpt) or a folder of 28x28 8-bit grayscale PNG digits.", Arity = ArgumentArity.ZeroOrOne };
        var run = new Option<Guid?>("--run") { Description = "Score a run's checkpoint from the store instead of a file." };
        var epoch = new Option<int?>("--epoch") { Description = "With --run: the numbered checkpoint of this epoch (default: latest)." };
        epoch.Positive();
        var samples = new Option<int?>("--samples") { Description = "Digits to generate from a checkpoint (default: the run's evaluation sample count, 10,000)." };
        samples.Positive(RunSpec.MaxEvaluationSamples);
        var output = new Option<string?>("--out") { Description = "JSON file to write (default: evaluation.json beside the checkpoint, or inside the PNG folder)." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch (default: all cores)." };
        threads.Positive(1024);
        var sampleKeep = DigitGanCli.SampleKeepOption();
        var byCluster = new Option<bool>("--by-cluster") { Description = "For a run with a clustered latent prior: also score each cluster's digits apart (which digits it draws, how surely), on the unranked evaluation noise." };
        var store = DigitGanCli.StoreOption();
        var command = new Command("evaluate", "Score generated digits (a checkpoint or a PNG folder): classifier-FID with its real-vs-real floor, Inception Score, class coverage.")
        {
            path, run, epoch, samples, sampleKeep, byCluster, output, threads, store,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (artifacts, evaluator) = await DigitGanCli.OpenEvaluatorAsync(parse.GetValue(store), parse.GetValue(threads), cancellationToken).ConfigureAwait(false);
            using var scoring = evaluator;

            var target = parse.GetValue(path);
            EvaluationReport report;
            string defaultOutput;
            if (target is not null && Directory.Exists(target))
            {
                if (parse.GetValue(sampleKeep) is not null || parse.GetValue(byCluster))
                {
                    throw new DigitGanCli.UsageException($"{(parse.GetValue(byCluster) ? "--by-cluster" : "--sample-keep")} applies to a checkpoint, not to a folder of PNG digits.");
                }

                report = await EvaluationReports.ScoreFolderAsync(evaluator, Path.GetFullPath(target), cancellationToken).ConfigureAwait(false);
                defaultOutput = Path.Combine(target, "evaluation.json");
            }
            else
            {
                var file = target is null ? null : new FileInfo(target);
                var (bytes, source) = await SampleCommand.ReadCheckpointAsync(file, parse.GetValue(run), parse.GetValue(epoch), () => artifacts, cancellationToken).ConfigureAwait(false);
                report = CheckpointEvaluation.Score(evaluator, bytes, source, parse.GetValue(samples), parse.GetValue(sampleKeep));
                if (parse.GetValue(byCluster))
                {
                    report = report with { Clusters = CheckpointEvaluation.ScoreClusters(evaluator, bytes, source, parse.GetValue(samples)) };
                }
                defaultOutput = file is not null ? Path.ChangeExtension(file.FullName, ".evaluation.json") : "evaluation.json";
            }

            var m = report.Metrics;
            Console.WriteLine(report.SampleKeep is { } keep and < 1
                ? $"{report.Source}: {m.Samples:N0} digits, kept of {SampleRanking.Candidates(m.Samples, keep):N0} drawn by its discriminator's ranking (sampleKeep {keep.ToString(CultureInfo.InvariantCulture)})"
                : $"{report.Source}: {m.Samples:N0} digits");
            Console.WriteLine($"  FID {m.Fid:F3} (real-vs-real floor at {m.Samples:N0} samples: {m.FidFloor:F3})");
            Console.WriteLine($"  Inception Score {m.InceptionScore:F3}");
            Console.WriteLine($"  classes >= 5%: {m.ClassesAtLeast5Percent}, confidence {m.Confidence:F3}, histogram [{string.Join(", ", m.ClassHistogram)}]");
            if (report.Clusters is { } clusters)
            {
                Console.WriteLine($"  by cluster ({clusters.Sum(c => c.Samples):N0} digits of the unranked evaluation noise):");
                Console.WriteLine("    cluster  digits  top digit  its share  confidence     IS  histogram");
                foreach (var c in clusters)
                {
                    Console.WriteLine($"    {c.Cluster,7}  {c.Samples,6}  {c.TopClass,9}  {c.TopClassShare,9:P1}  {c.Confidence,10:F3}  {c.InceptionScore,5:F2}  [{string.Join(", ", c.ClassHistogram)}]");
                }
            }

            var outputPath = Path.GetFullPath(parse.GetValue(output) ?? defaultOutput);
            await File.WriteAllBytesAsync(outputPath, JsonSerializer.SerializeToUtf8Bytes(report, ArtifactJson.Options), cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"Wrote {outputPath}");
            return 0;
        });
        return command;
    }
}
