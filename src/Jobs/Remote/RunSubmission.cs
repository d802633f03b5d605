using System.Diagnostics;
using System.Globalization;
using System.Text;
using DigitGan.Shared.Runs;

namespace DigitGan.Jobs.Remote;

/// <summary>What `submit` does: submits a run; with a wait, follows it, downloads its files, appends a summary, says if it passed.</summary>
public static class RunSubmission
{
    /// <param name="wait">How to follow the run; null submits it and returns at once.</param>
    /// <returns>Why the run did not pass; null when it passed or was not waited for.</returns>
    public static async Task<string?> SubmitAsync(RunsApiClient client, RunSpec spec, RunWaitOptions? wait, Action<string> log, CancellationToken cancellationToken)
    {
        var manifest = await client.SubmitAsync(spec, cancellationToken).ConfigureAwait(false);
        var link = new Uri(client.BaseAddress, $"runs/{manifest.RunId}");
        log($"Submitted run {manifest.RunId} ({manifest.Spec.Name}): {manifest.Spec.Epochs} epochs, tags {string.Join(", ", manifest.Spec.Tags)}.");
        log($"Run page: {link}");
        if (wait is null)
        {
            return null;
        }

        var clock = Stopwatch.StartNew();
        var final = await client.WaitAsync(manifest.RunId, wait.Timeout, wait.PollInterval, cancellationToken).ConfigureAwait(false);
        var verdict = Verdict(final, wait.MaxFid);
        if (wait.DownloadFolder is { } folder && final is not null)
        {
            await client.DownloadAsync(final, folder, cancellationToken).ConfigureAwait(false);
        }

        if (wait.SummaryFile is { } summaryFile)
        {
            await File.AppendAllTextAsync(summaryFile, Summary(manifest, final, link, clock.Elapsed, wait.MaxFid, verdict), cancellationToken).ConfigureAwait(false);
        }

        log(verdict ?? $"Run {manifest.RunId} succeeded.");
        return verdict;
    }

    /// <summary>Why the run does not pass (null when it does).</summary>
    private static string? Verdict(RunManifest? run, double? maxFid) => run switch
    {
        null => "The run did not finish before the timeout; it goes on (cancel it on its page if it should not).",
        { Status: not RunStatus.Succeeded } => $"The run ended {run.Status}: {run.Error ?? "no error text"}",
        _ when maxFid is { } limit && run.LatestEvaluation is null => $"--max-fid {limit.ToString(CultureInfo.InvariantCulture)} was given but the run has no FID ({run.QualityMetricsOff ?? "no evaluation"}).",
        _ when maxFid is { } limit && run.LatestEvaluation!.Fid > limit => $"The final FID {run.LatestEvaluation.Fid.ToString("0.00", CultureInfo.InvariantCulture)} is worse than the threshold {limit.ToString(CultureInfo.InvariantCulture)}.",
        _ => null,
    };

    private static string Summary(RunManifest submitted, RunManifest? run, Uri link, TimeSpan waited, double? maxFid, string? verdict)
    {
        string F(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "–";
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## DigitGan run {submitted.Spec.Name}: {(verdict is null ? "passed" : "FAILED")}");
        text.AppendLine();
        text.AppendLine("| | |");
        text.AppendLine("| --- | --- |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| run | [{submitted.RunId}]({link}) |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| status | {run?.Status.ToString() ?? "still running (timeout)"} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| epochs | {run?.Progress.Epoch ?? 0} of {submitted.Spec.Epochs} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| final D / G loss | {F(run?.LatestEpoch?.DLoss, "0.000")} / {F(run?.LatestEpoch?.GLoss, "0.000")} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| final FID (floor) | {F(run?.LatestEvaluation?.Fid, "0.00")} ({F(run?.LatestEvaluation?.FidFloor, "0.00")}){(maxFid is { } m ? $", threshold {m.ToString(CultureInfo.InvariantCulture)}" : "")} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| inception score, classes >= 5% | {F(run?.LatestEvaluation?.InceptionScore, "0.00")}, {run?.LatestEvaluation?.ClassesAtLeast5Percent.ToString(CultureInfo.InvariantCulture) ?? "–"} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| time | {F(run?.TrainingSeconds / 60, "0.0")} min training, {F(run?.EvaluationSeconds / 60, "0.0")} min evaluation, {waited.TotalMinutes.ToString("0.0", CultureInfo.InvariantCulture)} min waited |");
        if (verdict is not null)
        {
            text.AppendLine();
            text.AppendLine(verdict);
        }

        text.AppendLine();
        return text.ToString();
    }
}
