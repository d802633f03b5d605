using System.Globalization;
using System.Text;
using System.Text.Json;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Runs;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Benchmarks;

/// <summary>
/// Trains a <see cref="QualityPlan"/>'s runs in a store (skipping runs a previous invocation finished: same name,
/// same spec), then collects their scores and grids into a Markdown and a JSON report. Runs are ordinary runs, so
/// the web app can browse and compare them too.
/// </summary>
public sealed class QualityExperiment(RunRepository runs, Device device, int threads, Func<Guid, ITrainingObserver> observer, Action<string> log)
{
    /// <summary>Trains what is missing and returns every row of the plan (variants in <paramref name="only"/>, if given).</summary>
    public async Task<IReadOnlyList<QualityRow>> RunAsync(QualityPlan plan, IReadOnlyCollection<string>? only, IReadOnlyList<long> seeds, string outputFolder, CancellationToken cancellationToken)
    {
        var existing = await FinishedRunsAsync(plan.Tag, cancellationToken).ConfigureAwait(false);
        var rows = new List<QualityRow>();
        Directory.CreateDirectory(Path.Combine(outputFolder, "grids"));
        foreach (var (variant, variantSpec) in plan.Variants.Where(v => only is null || only.Count == 0 || only.Contains(v.Name)))
        {
            foreach (var seed in seeds)
            {
                var spec = variantSpec with { Seed = seed, Name = plan.RunName(variant, seed), Tags = [plan.Tag, variant] };
                var run = existing.FirstOrDefault(m => m.Spec.Name == spec.Name && SameTraining(m.Spec, spec));
                if (run is null)
                {
                    log($"{spec.Name}: training {spec.Epochs} epochs ...");
                    var created = await runs.CreateAsync(spec, CodeVersion.Current, cancellationToken).ConfigureAwait(false);
                    run = await new TrainingRunner(runs, observer(created.RunId)).RunAsync(created.RunId, device, threads, cancellationToken).ConfigureAwait(false);
                    if (run.Status != RunStatus.Succeeded)
                    {
                        throw new InvalidOperationException($"{spec.Name} ended {run.Status}: {run.Error}");
                    }
                }
                else
                {
                    log($"{spec.Name}: already trained (run {run.RunId}); scoring it.");
                }

                rows.AddRange(await RowsAsync(plan, variant, seed, run, outputFolder, cancellationToken).ConfigureAwait(false));
            }
        }

        return rows;
    }

    // A miss shows its figures to enough places to see why: the table rounds an IS of 5.996 to 6.00.
    private static string NotMet(QualityRow row) => string.Create(CultureInfo.InvariantCulture,
        $"not met: IS {row.InceptionScore:0.000}, FID / floor {row.FidOverFloor:0.0}, {row.ClassesAtLeast5Percent} classes, {row.TrainingSeconds:0} s");

    /// <summary>The report as Markdown: one table per report epoch layout, with grids, and the machine it ran on.</summary>
    public static string Markdown(QualityPlan plan, IReadOnlyList<QualityRow> rows, string machine, string command)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Plan `{plan.Name}`, made by `{command}` on {machine}.\n\n");
        text.Append("IS: Inception Score with the product's classifier (10 is the most); FID: classifier-FID against the test digits,\n");
        text.Append("with its real-vs-real floor at the same sample count; classes: digits holding at least 5% of the samples; seconds:\n");
        text.Append("training time up to that epoch (evaluation excluded).\n");
        text.Append(ClassifierLine(rows));
        text.Append('\n');
        text.Append("| variant | seed | epoch | IS | FID | FID / floor | classes | seconds | images/s |\n");
        text.Append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        foreach (var row in rows)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"| {row.Variant} | {row.Seed} | {row.Epoch} | {row.InceptionScore:0.00} | {row.Fid:0.000} | {row.FidOverFloor:0.0} | {row.ClassesAtLeast5Percent} | {row.TrainingSeconds:0} | {row.ImagesPerSecond:0} |\n");
        }

        foreach (var (epoch, description, isMet) in plan.Targets)
        {
            var scored = rows.Where(r => r.Epoch == epoch).ToList();
            text.Append(CultureInfo.InvariantCulture, $"\nTarget at epoch {epoch}: {description}. ");
            text.Append(scored.Count == 0
                ? "No run has reached that epoch yet.\n"
                : $"Met by {scored.Count(isMet)} of {scored.Count} seeds ({string.Join(", ", scored.Select(r => $"seed {r.Seed}: {(isMet(r) ? "met" : NotMet(r))}"))}).\n");
        }

        if (plan.Baseline is { } baseline)
        {
            text.Append(Parity(baseline, rows));
        }

        var grids = rows.Where(r => r.Grid is not null).GroupBy(r => (r.Variant, r.Seed)).ToList();
        if (grids.Count > 0)
        {
            var epochs = rows.Select(r => r.Epoch).Distinct().Order().ToList();
            text.Append("\nSample grids (the run's 16 fixed noise vectors):\n\n");
            text.Append(CultureInfo.InvariantCulture, $"| variant | seed | {string.Join(" | ", epochs.Select(e => $"epoch {e}"))} |\n");
            text.Append(CultureInfo.InvariantCulture, $"| --- | --- |{string.Concat(epochs.Select(_ => " --- |"))}\n");
            foreach (var group in grids)
            {
                var cells = epochs.Select(e => group.FirstOrDefault(r => r.Epoch == e)?.Grid is { } grid ? $"![{group.Key.Variant} epoch {e}]({grid})" : "");
                text.Append(CultureInfo.InvariantCulture, $"| {group.Key.Variant} | {group.Key.Seed} | {string.Join(" | ", cells)} |\n");
            }
        }

        return text.ToString();
    }

    // Each store trains its own classifier, and two classifiers score the same digits a little differently, so a
    // report names the one behind its figures (docs/metrics.md: how far two classifiers' scores differ).
    private static string ClassifierLine(IReadOnlyList<QualityRow> rows)
    {
        var ids = rows.Select(r => r.Classifier ?? "unrecorded").Distinct(StringComparer.Ordinal).ToList();
        return ids.Count switch
        {
            0 => "",
            1 => $"Scored by classifier `{ids[0]}`.\n",
            _ => $"Scored by {ids.Count} classifiers ({string.Join(", ", ids.Select(id => $"`{id}`"))}): compare rows scored by the same one.\n",
        };
    }

    /// <summary>
    /// Each variant against the baseline at each epoch: the baseline's seed-to-seed range of IS, FID and classes,
    /// the variant's mean and its runs' values, and whether the mean lies within the range.
    /// </summary>
    public static string Parity(string baseline, IReadOnlyList<QualityRow> rows)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"\nParity with `{baseline}`: a variant's mean over seeds must lie within {baseline}'s seed-to-seed range (min to max).\n\n");
        text.Append("| variant | epoch | metric | baseline range | variant mean | variant runs | within | speed vs baseline |\n");
        text.Append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        var metrics = new (string Name, Func<QualityRow, double> Value, string Format)[]
        {
            ("IS", r => r.InceptionScore, "0.00"), ("FID", r => r.Fid, "0.000"), ("classes", r => r.ClassesAtLeast5Percent, "0.0"),
        };
        var (met, total) = (0, 0);
        foreach (var variant in rows.Select(r => r.Variant).Distinct().Where(v => v != baseline))
        {
            foreach (var epoch in rows.Where(r => r.Variant == variant).Select(r => r.Epoch).Distinct().Order())
            {
                var reference = rows.Where(r => r.Variant == baseline && r.Epoch == epoch).ToList();
                var candidate = rows.Where(r => r.Variant == variant && r.Epoch == epoch).ToList();
                if (reference.Count == 0)
                {
                    continue;
                }

                var speed = candidate.Average(r => r.ImagesPerSecond) / reference.Average(r => r.ImagesPerSecond);
                foreach (var (name, value, format) in metrics)
                {
                    var (low, high, mean) = (reference.Min(value), reference.Max(value), candidate.Average(value));
                    var within = mean >= low && mean <= high;
                    (met, total) = (met + (within ? 1 : 0), total + 1);
                    text.Append(CultureInfo.InvariantCulture,
                        $"| {variant} | {epoch} | {name} | {low.ToString(format, CultureInfo.InvariantCulture)}-{high.ToString(format, CultureInfo.InvariantCulture)} | {mean.ToString(format, CultureInfo.InvariantCulture)} | {string.Join(", ", candidate.Select(r => value(r).ToString(format, CultureInfo.InvariantCulture)))} | {(within ? "yes" : "no")} | {speed:0.00}x |\n");
                }
            }
        }

        text.Append(CultureInfo.InvariantCulture, $"\nParity: {met} of {total} comparisons within the baseline's range.\n");
        return text.ToString();
    }

    public static string Json(QualityPlan plan, IReadOnlyList<QualityRow> rows, string machine, string command)
        => JsonSerializer.Serialize(new { plan = plan.Name, command, machine, rows }, ArtifactJson.Options);

    // Same training: every field but the name, tags, notes and preset label.
    private static bool SameTraining(RunSpec a, RunSpec b)
        => JsonSerializer.Serialize(a with { Name = "", Tags = [], Notes = null, Preset = null }, ArtifactJson.Lines)
           == JsonSerializer.Serialize(b with { Name = "", Tags = [], Notes = null, Preset = null }, ArtifactJson.Lines);

    private async Task<List<RunManifest>> FinishedRunsAsync(string tag, CancellationToken cancellationToken)
    {
        var found = new List<RunManifest>();
        for (var page = 1; ; page++)
        {
            var list = await runs.ListAsync(new RunQuery { Tag = tag, Status = RunStatus.Succeeded, Page = page, PageSize = RunQuery.MaxPageSize }, cancellationToken).ConfigureAwait(false);
            foreach (var summary in list.Runs)
            {
                if (await runs.GetAsync(summary.RunId, cancellationToken).ConfigureAwait(false) is { } manifest)
                {
                    found.Add(manifest);
                }
            }

            if (list.Runs.Count < RunQuery.MaxPageSize)
            {
                return found;
            }
        }
    }

    private async Task<List<QualityRow>> RowsAsync(QualityPlan plan, string variant, long seed, RunManifest run, string outputFolder, CancellationToken cancellationToken)
    {
        var history = await runs.ReadHistoryAsync(run.RunId, cancellationToken).ConfigureAwait(false);
        var rows = new List<QualityRow>();
        foreach (var epoch in plan.ReportEpochs.Where(e => e <= run.Spec.Epochs))
        {
            if (history.EvaluationAt(epoch) is not { } evaluation)
            {
                log($"{run.Spec.Name}: no evaluation at epoch {epoch}; left out of the table.");
                continue;
            }

            var epochs = history.Epochs.Where(e => e.Epoch <= epoch).ToList();
            string? grid = null;
            if (await runs.Store.GetBytesAsync(RunArtifactLayout.Sample(run.RunId, epoch), cancellationToken).ConfigureAwait(false) is { } png)
            {
                grid = $"grids/{variant}-seed{seed}-epoch{epoch}.png";
                await File.WriteAllBytesAsync(Path.Combine(outputFolder, grid), png, cancellationToken).ConfigureAwait(false);
            }

            rows.Add(new QualityRow
            {
                Variant = variant,
                Seed = seed,
                Epoch = epoch,
                RunId = run.RunId,
                InceptionScore = evaluation.InceptionScore,
                Fid = evaluation.Fid,
                FidFloor = evaluation.FidFloor,
                ClassesAtLeast5Percent = evaluation.ClassesAtLeast5Percent,
                Samples = evaluation.Samples,
                Classifier = evaluation.Classifier,
                TrainingSeconds = epochs.Sum(e => e.Seconds),
                ImagesPerSecond = epochs.Sum(e => e.Images) / Math.Max(1e-9, epochs.Sum(e => e.Seconds)),
                Grid = grid,
            });
        }

        return rows;
    }
}
