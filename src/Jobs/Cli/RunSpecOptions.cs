using System.CommandLine;
using DigitGan.Shared.Runs;

namespace DigitGan.Jobs.Cli;

/// <summary>The run-spec flags that `train` and `submit` share, read into a <see cref="RunSpec"/> and validated by flag name.</summary>
internal sealed class RunSpecOptions
{
    private static readonly Dictionary<string, string> FlagOfField = new()
    {
        ["epochs"] = "--epochs",
        ["batchSize"] = "--batch-size",
        ["learningRate"] = "--lr",
        ["beta1"] = "--beta1",
        ["beta2"] = "--beta2",
        ["noiseDim"] = "--noise-dim",
        ["seed"] = "--seed",
        ["trainSubset"] = "--train-subset",
        ["checkpointEvery"] = "--checkpoint-every",
        ["maxStepsPerEpoch"] = "--max-steps",
        ["name"] = "--name",
        ["tags"] = "--tag",
        ["step"] = "--step",
        ["evaluateEvery"] = "--eval-every",
        ["evaluationSamples"] = "--eval-samples",
    };

    private static readonly RunSpec Defaults = new();

    private readonly Option<int> _epochs = DigitGanCli.Option("--epochs", "Epochs to train (the tutorial: 50).", Defaults.Epochs);
    private readonly Option<int> _batchSize = DigitGanCli.Option("--batch-size", "Images per step.", Defaults.BatchSize);
    private readonly Option<double> _lr = DigitGanCli.Option("--lr", "Adam learning rate of both networks.", Defaults.LearningRate);
    private readonly Option<double> _beta1 = DigitGanCli.Option("--beta1", "Adam beta1.", Defaults.Beta1);
    private readonly Option<int> _noiseDim = DigitGanCli.Option("--noise-dim", "Length of the generator's noise vector.", Defaults.NoiseDim);
    private readonly Option<long> _seed = DigitGanCli.Option("--seed", "Seed of every random stream of the run.", 0L);
    private readonly Option<int> _checkpointEvery = DigitGanCli.Option("--checkpoint-every", "Keep a numbered checkpoint every N epochs (and at the end).", Defaults.CheckpointEvery);
    private readonly Option<int> _evalEvery = DigitGanCli.Option("--eval-every", "Score quality (FID, IS, class coverage) every N epochs and after the last; 0 turns it off.", Defaults.EvaluateEvery);
    private readonly Option<int> _evalSamples = DigitGanCli.Option("--eval-samples", "Digits generated per quality evaluation.", Defaults.EvaluationSamples);
    private readonly Option<int?> _maxSteps = new("--max-steps") { Description = "Stop each epoch after N steps (a dry run)." };
    private readonly Option<int?> _subset = new("--train-subset") { Description = "Train on the first N training images instead of all 60,000." };
    private readonly Option<string> _step = DigitGanCli.Option("--step", "Train step: shared (the tutorial's) or alternating.", "shared").AcceptOnlyFromAmong("shared", "alternating");
    private readonly Option<string> _name = DigitGanCli.Option("--name", "A name for the run.", Defaults.Name);
    private readonly Option<string[]> _tags = new("--tag") { Description = "A tag for the run (repeatable).", AllowMultipleArgumentsPerToken = false };

    public IEnumerable<Option> All => [_epochs, _batchSize, _lr, _beta1, _noiseDim, _seed, _checkpointEvery, _evalEvery, _evalSamples, _maxSteps, _subset, _step, _name, _tags];

    public RunSpec Read(ParseResult parse) => new()
    {
        Name = parse.GetValue(_name)!,
        Tags = parse.GetValue(_tags) ?? [],
        Epochs = parse.GetValue(_epochs),
        BatchSize = parse.GetValue(_batchSize),
        LearningRate = parse.GetValue(_lr),
        Beta1 = parse.GetValue(_beta1),
        NoiseDim = parse.GetValue(_noiseDim),
        Seed = parse.GetValue(_seed),
        CheckpointEvery = parse.GetValue(_checkpointEvery),
        EvaluateEvery = parse.GetValue(_evalEvery),
        EvaluationSamples = parse.GetValue(_evalSamples),
        MaxStepsPerEpoch = parse.GetValue(_maxSteps),
        TrainSubset = parse.GetValue(_subset),
        Step = parse.GetValue(_step) == "alternating" ? StepKind.Alternating : StepKind.Shared,
    };

    /// <summary>Throws a usage error naming each bad flag (the API's rules, with the CLI's flag names).</summary>
    public static void ThrowIfInvalid(IReadOnlyDictionary<string, string[]> errors)
    {
        if (errors.Count > 0)
        {
            throw new DigitGanCli.UsageException(string.Join(Environment.NewLine + "error: ", errors.Select(e => $"{FlagOfField.GetValueOrDefault(e.Key, e.Key)}: {string.Join(" ", e.Value)}")));
        }
    }
}
