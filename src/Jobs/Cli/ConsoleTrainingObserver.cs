using DigitGan.Jobs.Training;
using DigitGan.Shared.Runs;
using Spectre.Console;

namespace DigitGan.Jobs.Cli;

/// <summary>
/// Shows a run's progress: a live Spectre progress bar per epoch on an interactive terminal, plain lines otherwise
/// (CI, pipes). Every epoch ends with one time line, as the tutorial prints.
/// </summary>
public sealed class ConsoleTrainingObserver(ProgressContext? live) : ITrainingObserver
{
    private ProgressTask? _epochTask;
    private int _lastPlainStep;

    public void Message(string text) => AnsiConsole.MarkupLineInterpolated($"[grey]{text}[/]");

    public void EpochStarted(int epoch, int totalEpochs, int steps)
    {
        _lastPlainStep = 0;
        if (live is not null)
        {
            _epochTask = live.AddTask($"Epoch {epoch}/{totalEpochs}", maxValue: steps);
        }
    }

    public void StepCompleted(int epoch, int step, int steps, StepResult result, double imagesPerSecond)
    {
        var status = $"step {step}/{steps}  D {result.DLoss:F3}  G {result.GLoss:F3}  {imagesPerSecond:F0} img/s";
        if (_epochTask is not null)
        {
            _epochTask.Description = $"Epoch {epoch}: {status}";
            _epochTask.Value = step;
        }
        else if (step == steps || step - _lastPlainStep >= Math.Max(1, steps / 4))
        {
            _lastPlainStep = step;
            Console.WriteLine($"  epoch {epoch} {status}");
        }
    }

    public void EpochCompleted(EpochMetrics metrics, int totalEpochs, double? etaSeconds)
    {
        _epochTask?.StopTask();
        var eta = etaSeconds is { } seconds && metrics.Epoch < totalEpochs ? $", ETA {FormatDuration(seconds)}" : string.Empty;
        AnsiConsole.MarkupLineInterpolated(
            $"Time for epoch {metrics.Epoch}/{totalEpochs} is [bold]{metrics.Seconds:F1} sec[/]: D loss {metrics.DLoss:F3}, G loss {metrics.GLoss:F3}, D(real) {metrics.DReal:F3}, D(fake) {metrics.DFake:F3}, {metrics.ImagesPerSecond:F0} images/s{eta}");
    }

    public void EvaluationCompleted(EvaluationMetrics metrics) => AnsiConsole.MarkupLineInterpolated(
        $"  quality after epoch {metrics.Epoch}: FID [bold]{metrics.Fid:F2}[/] (real-vs-real floor {metrics.FidFloor:F2}), IS {metrics.InceptionScore:F2}, {metrics.ClassesAtLeast5Percent} classes >= 5%, confidence {metrics.Confidence:F3} ({metrics.Samples:N0} samples, {metrics.Seconds:F1} s)");

    public void HealthFlagRaised(HealthFlag flag) => AnsiConsole.MarkupLineInterpolated(
        $"  [yellow]health: {flag.Kind} at epoch {flag.Epoch}{(flag.GlobalStep is { } step ? $", step {step}" : "")}[/]: {flag.Detail}");

    public static string FormatDuration(double seconds)
    {
        var span = TimeSpan.FromSeconds(seconds);
        return span.TotalHours >= 1 ? $"{(int)span.TotalHours}h {span.Minutes:D2}m" : span.TotalMinutes >= 1 ? $"{span.Minutes}m {span.Seconds:D2}s" : $"{span.Seconds}s";
    }
}
