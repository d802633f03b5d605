using System.CommandLine;
using DigitGan.Jobs.Cli;
using DigitGan.Shared.Runs;
using DigitGan.Testing;
using Xunit;

namespace DigitGan.Jobs.Tests.Cli;

public sealed class RunSpecCliTests
{
    /// <summary>The run flags users and scripts already pass; their names must not change.</summary>
    private static readonly string[] KeptFlags =
        ["--epochs", "--batch-size", "--lr", "--beta1", "--noise-dim", "--seed", "--train-subset", "--checkpoint-every", "--max-steps", "--name", "--tag", "--step", "--eval-every", "--eval-samples"];

    /// <summary>A spec whose every field differs from <c>new RunSpec()</c> (and is valid).</summary>
    private static readonly RunSpec Changed = new()
    {
        Name = "changed",
        Tags = ["a"],
        Notes = "why",
        Epochs = 20,
        BatchSize = 64,
        LearningRate = 2e-4,
        Beta1 = 0.5,
        Beta2 = 0.99,
        NoiseDim = 64,
        Seed = 7,
        TrainSubset = 1_000,
        Step = StepKind.Alternating,
        CheckpointEvery = 5,
        EvaluateEvery = 2,
        EvaluationSamples = 500,
        Parent = new RunParent(Guid.NewGuid(), 3),
        MaxStepsPerEpoch = 10,
        Preset = RunPresets.Improved,
        DiscriminatorLearningRate = 4e-4,
        Loss = GanLoss.Hinge,
        LabelSmoothing = 0.1,
        DiscriminatorNorm = DiscriminatorNorm.Spectral,
        GeneratorEma = 0.999,
        ConsistencyWeight = 10,
        Sampling = SamplingMode.Batch,
    };

    public static TheoryData<string> Commands => ["train", "submit"];

    [Theory]
    [MemberData(nameof(Commands))]
    public void Has_an_option_for_every_spec_field_and_keeps_the_existing_flag_names(string verb)
    {
        var command = DigitGanCli.Build().Subcommands.Single(c => c.Name == verb);
        var flags = command.Options.Select(option => option.Name).ToHashSet();

        Assert.All(RunSpecSchema.Fields, field => Assert.Contains(field.Flag, flags));
        Assert.All(KeptFlags, flag => Assert.Contains(flag, flags));
        Assert.All(["--beta2", "--notes", "--parent"], flag => Assert.Contains(flag, flags));
    }

    [Fact]
    public void Each_flag_sets_its_field_and_no_flags_give_the_defaults()
    {
        var (options, command) = CommandWithRunFlags();

        var unset = options.Read(command.Parse([]));
        Assert.All(RunSpecSchema.Fields, field => Assert.Equal(field.Display(new RunSpec()), field.Display(unset)));
        foreach (var field in RunSpecSchema.Fields)
        {
            var parse = command.Parse([field.Flag, CliText(field, Changed)]);
            Assert.Empty(parse.Errors);
            Assert.Equal(field.Display(Changed), field.Display(options.Read(parse)));
        }
    }

    [Fact]
    public void A_preset_gives_its_spec_and_the_flags_given_change_it()
    {
        var (options, command) = CommandWithRunFlags();

        var preset = RunPresets.Get(RunPresets.Improved);
        var plain = options.Read(command.Parse(["--preset", "improved"]));
        Assert.All(RunSpecSchema.Fields, field => Assert.Equal(field.Display(preset), field.Display(plain)));

        var changed = options.Read(command.Parse(["--preset", "first-look", "--epochs", "3", "--seed", "4"]));
        Assert.Equal(("first-look", 3, 4L, 16, 0.99), (changed.Preset, changed.Epochs, changed.Seed, changed.BatchSize, changed.GeneratorEma));
        Assert.NotEmpty(command.Parse(["--preset", "fast"]).Errors);
    }

    [Theory]
    [InlineData("train --beta2 1", "--beta2")]
    [InlineData("train --label-smoothing 0.7", "--label-smoothing")]
    [InlineData("train --g-ema 1", "--g-ema")]
    [InlineData("train --d-lr 0", "--d-lr")]
    [InlineData("submit --beta2 -0.5", "--beta2")]
    [InlineData("train --lr 2", "--lr")]
    [InlineData("train --tag has!bang", "--tag")]
    [InlineData("train --parent nonsense", "--parent must be RUNID:EPOCH")]
    [InlineData("submit --parent 0193a5d2-6f3c-7b1e-9a4d-2c5e8f1b3a7d", "--parent must be RUNID:EPOCH")]
    [InlineData("train --parent 0193a5d2-6f3c-7b1e-9a4d-2c5e8f1b3a7d:0", "--parent: The parent checkpoint's epoch must be at least 1")]
    [InlineData("train --epochs 5 --parent 0193a5d2-6f3c-7b1e-9a4d-2c5e8f1b3a7d:5", "--parent")]
    [InlineData("submit --max-steps 0", "--max-steps: Max steps per epoch must be at least 1")]
    public async Task A_bad_value_exits_2_naming_its_flag(string commandLine, string mentioned)
    {
        var (code, error) = await CliRunner.RunAsync(commandLine.Split(' '));
        Assert.Equal(DigitGanCli.UsageError, code);
        Assert.Contains(mentioned, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Notes_longer_than_the_api_takes_name_the_notes_flag()
    {
        var (code, error) = await CliRunner.RunAsync(["train", "--notes", new string('x', 10_001)]);
        Assert.Equal(DigitGanCli.UsageError, code);
        Assert.Contains("--notes: Notes must be at most 10,000 characters", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Api_errors_are_reported_under_the_flag_of_their_field()
    {
        foreach (var field in RunSpecSchema.Fields)
        {
            var error = Assert.Throws<DigitGanCli.UsageException>(() => RunSpecOptions.ThrowIfInvalid(new Dictionary<string, string[]> { [field.Name] = ["Bad."] }));
            Assert.Equal($"{field.Flag}: Bad.", error.Message);
        }

        var nested = Assert.Throws<DigitGanCli.UsageException>(() => RunSpecOptions.ThrowIfInvalid(new Dictionary<string, string[]> { ["parent.epoch"] = ["Invalid value."], ["body"] = ["Not JSON."] }));
        Assert.Equal($"--parent: Invalid value.{Environment.NewLine}error: body: Not JSON.", nested.Message);
    }

    [Fact]
    public void The_docs_table_is_generated_from_the_schema_and_has_a_row_per_field()
    {
        var committed = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "run-spec.md"));
        Assert.True(committed == RunSpecDocsCommand.Markdown(), $"docs/run-spec.md is out of date: run `{RunSpecDocsCommand.RegenerateCommand}` and commit it.");

        var rows = committed.Split('\n').TakeWhile(line => !line.StartsWith("## Presets", StringComparison.Ordinal)).Where(line => line.StartsWith("| `", StringComparison.Ordinal)).ToList();
        Assert.Equal(RunSpecSchema.Fields.Count, rows.Count);
        Assert.All(RunSpecSchema.Fields.Zip(rows), pair =>
        {
            var (field, row) = pair;
            Assert.StartsWith($"| `{field.Name}` |", row, StringComparison.Ordinal);
            Assert.Contains($"`{field.Flag} ", row, StringComparison.Ordinal);
            Assert.Contains($"| {field.Label} |", row, StringComparison.Ordinal);
            Assert.Contains(field.Help, row, StringComparison.Ordinal);
        });
    }

    /// <summary>A command with every run flag, and the options that read them.</summary>
    private static (RunSpecOptions Options, Command Command) CommandWithRunFlags()
    {
        var options = new RunSpecOptions();
        var command = new Command("test");
        foreach (var option in options.All)
        {
            command.Options.Add(option);
        }

        return (options, command);
    }

    /// <summary>The field's value in a spec as a CLI argument.</summary>
    private static string CliText(RunSpecField field, RunSpec spec) => field.Kind switch
    {
        RunSpecFieldKind.Choice => field.Display(spec).ToLowerInvariant(),
        RunSpecFieldKind.Parent => spec.Parent!.ToString(),
        _ => field.Display(spec),
    };
}
