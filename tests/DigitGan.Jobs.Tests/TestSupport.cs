using DigitGan.Jobs.Cli;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Runs;

namespace DigitGan.Jobs.Tests;

/// <summary>A temp folder with an artifact store that holds the real MNIST (from the setup cache).</summary>
public sealed class MnistStoreFixture : IDisposable
{
    public MnistStoreFixture()
    {
        Root = Directory.CreateTempSubdirectory("digitgan-test-").FullName;
        Store = new FileArtifactStore(Path.Combine(Root, "store"));
        if (!File.Exists(Path.Combine(DataPaths.MnistCache, MnistFiles.TrainImages)))
        {
            throw new InvalidOperationException($"MNIST is not in {DataPaths.MnistCache}: run scripts/setup.sh first (scripts/test.sh does).");
        }

        MnistDataset.ImportAsync(Store, DataPaths.MnistCache).GetAwaiter().GetResult();
    }

    public string Root { get; }

    public FileArtifactStore Store { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>Runs the CLI in-process and captures its exit code and standard error.</summary>
public static class CliRunner
{
    public static async Task<(int Code, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await DigitGanCli.RunAsync(args, output, error);
        return (code, error.ToString());
    }
}

/// <summary>Keeps what a run reports: messages, evaluations and health flags.</summary>
public sealed class RecordingObserver(Action<int, int>? onStep = null) : ITrainingObserver
{
    public List<string> Messages { get; } = [];
    public List<EvaluationMetrics> Evaluations { get; } = [];
    public List<HealthFlag> Flags { get; } = [];

    public void Message(string text) => Messages.Add(text);

    public void EpochStarted(int epoch, int totalEpochs, int steps)
    {
    }

    public void StepCompleted(int epoch, int step, int steps, StepResult result, double imagesPerSecond) => onStep?.Invoke(epoch, step);

    public void EpochCompleted(EpochMetrics metrics, int totalEpochs, double? etaSeconds)
    {
    }

    public void EvaluationCompleted(EvaluationMetrics metrics) => Evaluations.Add(metrics);

    public void HealthFlagRaised(HealthFlag flag) => Flags.Add(flag);
}
