using System.CommandLine;
using DigitGan.Shared.Runs;

namespace DigitGan.Jobs.Cli;

/// <summary>
/// The run-spec flags that `train` and `submit` share, one per <see cref="RunSpecSchema"/> field, read into a
/// <see cref="RunSpec"/> and validated with the API's rules under the flags' names.
/// </summary>
internal sealed class RunSpecOptions
{
    private static readonly RunSpec Defaults = new();

    private readonly IReadOnlyList<Binding> _bindings = [.. RunSpecSchema.Fields.Select(Create)];

    public IEnumerable<Option> All => _bindings.Select(binding => binding.Option);

    public Option OptionOf(RunSpecField field) => _bindings.Single(binding => binding.Field == field).Option;

    /// <summary>
    /// The spec the flags give: the --preset's spec (else the defaults), changed by each flag given on the command line
    /// (a flag left at its default does not undo the preset's value).
    /// </summary>
    public RunSpec Read(ParseResult parse)
    {
        var given = _bindings.Where(binding => parse.GetResult(binding.Option) is { Implicit: false }).ToList();
        var presets = given.Where(binding => binding.Field.Kind == RunSpecFieldKind.Preset);
        var start = presets.Aggregate(new RunSpec(), (spec, binding) => binding.Read(parse, spec));
        return given.Except(presets).Aggregate(start, (spec, binding) => binding.Read(parse, spec));
    }

    /// <summary>Throws a usage error naming each bad flag (the API's rules and messages, with the CLI's flag names).</summary>
    public static void ThrowIfInvalid(IReadOnlyDictionary<string, string[]> errors)
    {
        if (errors.Count > 0)
        {
            throw new DigitGanCli.UsageException(string.Join(Environment.NewLine + "error: ",
                errors.Select(e => $"{RunSpecSchema.Find(e.Key)?.Flag ?? e.Key}: {string.Join(" ", e.Value)}")));
        }
    }

    private static Binding Create(RunSpecField field) => field.Kind switch
    {
        RunSpecFieldKind.Text or RunSpecFieldKind.OptionalText => Typed((RunSpecField<string?>)field, "TEXT"),
        RunSpecFieldKind.Tags => Tags((RunSpecField<IReadOnlyList<string>>)field),
        RunSpecFieldKind.Int => Typed((RunSpecField<int>)field, "N"),
        RunSpecFieldKind.OptionalInt => Typed((RunSpecField<int?>)field, "N"),
        RunSpecFieldKind.Long => Typed((RunSpecField<long>)field, "N"),
        RunSpecFieldKind.Double => Typed((RunSpecField<double>)field, "X"),
        RunSpecFieldKind.OptionalDouble => Typed((RunSpecField<double?>)field, "X"),
        RunSpecFieldKind.Preset => Preset((RunSpecField<string?>)field),
        RunSpecFieldKind.Choice => Choice(field),
        RunSpecFieldKind.Parent => Parent((RunSpecField<RunParent?>)field),
        _ => throw new ArgumentOutOfRangeException(nameof(field), field.Kind, $"No CLI option for {field.Name}'s kind."),
    };

    // A choice's values are in its help name (the CLI spells them in lower case), so only the others list their limits.
    private static string Description(RunSpecField field) => field.Kind == RunSpecFieldKind.Choice ? field.Help : $"{field.Help} Allowed: {field.Limits}.";

    private static Binding Typed<T>(RunSpecField<T> field, string valueName)
    {
        var option = new Option<T>(field.Flag) { Description = Description(field), HelpName = valueName };
        if (field.Get(Defaults) is { } defaultValue)
        {
            option.DefaultValueFactory = _ => defaultValue;
        }

        return new(field, option, (parse, spec) => field.With(spec, parse.GetValue(option)!));
    }

    private static Binding Tags(RunSpecField<IReadOnlyList<string>> field)
    {
        var option = new Option<string[]>(field.Flag) { Description = $"{Description(field)} Repeat the flag for more.", HelpName = "TAG", AllowMultipleArgumentsPerToken = false };
        return new(field, option, (parse, spec) => field.With(spec, parse.GetValue(option) ?? []));
    }

    private static Binding Choice(RunSpecField field)
    {
        string[] choices = [.. field.Choices.Select(choice => choice.ToLowerInvariant())];
        var option = new Option<string>(field.Flag) { Description = Description(field), HelpName = string.Join('|', choices), DefaultValueFactory = _ => field.Display(Defaults).ToLowerInvariant() }
            .AcceptOnlyFromAmong(choices);
        return new(field, option, (parse, spec) => field.WithChoice(spec, parse.GetValue(option)!));
    }

    private static Binding Preset(RunSpecField<string?> field)
    {
        var option = new Option<string>(field.Flag)
        {
            Description = $"{field.Help} {string.Join(" ", RunPresets.Names.Select(name => $"{name}: {RunPresets.Describe(name)}"))}",
            HelpName = string.Join('|', RunPresets.Names),
        }.AcceptOnlyFromAmong([.. RunPresets.Names]);
        return new(field, option, (parse, spec) => parse.GetValue(option) is { } name ? RunPresets.Get(name) : spec);
    }

    private static Binding Parent(RunSpecField<RunParent?> field)
    {
        var option = new Option<RunParent?>(field.Flag)
        {
            Description = Description(field),
            HelpName = "RUNID:EPOCH",
            CustomParser = result =>
            {
                var text = result.Tokens[0].Value;
                if (RunParent.TryParse(text, out var parent))
                {
                    return parent;
                }

                result.AddError($"{field.Flag} must be RUNID:EPOCH, a run's id and the epoch of one of its checkpoints, e.g. {new RunParent(Guid.Empty, 15)} (got '{text}').");
                return null;
            },
        };
        return new(field, option, (parse, spec) => field.With(spec, parse.GetValue(option)));
    }

    /// <summary>A field's option and how its value goes into the spec.</summary>
    private sealed record Binding(RunSpecField Field, Option Option, Func<ParseResult, RunSpec, RunSpec> Read);
}
