namespace DigitGan.Shared.Runs;

/// <summary>A <see cref="RunSpecField"/> with its value type: how to read it from a spec and write it into one.</summary>
public sealed record RunSpecField<T> : RunSpecField
{
    internal RunSpecField()
    {
    }

    public required Func<RunSpec, T> Get { get; init; }

    /// <summary>A copy of the spec with this field set (a `with` expression).</summary>
    public required Func<RunSpec, T, RunSpec> With { get; init; }

    /// <summary>A value as <see cref="Display"/> shows it.</summary>
    public required Func<T, string> Format { get; init; }

    public override IReadOnlyList<string> Choices { get; } = typeof(T).IsEnum ? Enum.GetNames(typeof(T)) : [];

    public override string Display(RunSpec spec) => Format(Get(spec));

    public override RunSpec WithChoice(RunSpec spec, string choice) => typeof(T).IsEnum
        ? With(spec, (T)Enum.Parse(typeof(T), choice, ignoreCase: true))
        : throw new InvalidOperationException($"{Name} is not a choice.");
}
