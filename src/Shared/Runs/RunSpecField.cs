namespace DigitGan.Shared.Runs;

/// <summary>
/// One field of <see cref="RunSpec"/> as every surface names it: the API's JSON name (also the key of its
/// <see cref="RunSpec.Validate"/> messages and the form's input id), the CLI flag, the form label, help and limits.
/// The typed value lives in <see cref="RunSpecField{T}"/>; <see cref="RunSpecSchema"/> lists them all.
/// </summary>
public abstract record RunSpecField
{
    // Only the schema's factories create fields, so that a field's kind always matches its value type.
    private protected RunSpecField()
    {
    }

    /// <summary>The camelCase JSON name, as in POST /api/runs.</summary>
    public required string Name { get; init; }

    /// <summary>The option of the CLI's `train` and `submit`, e.g. --batch-size.</summary>
    public required string Flag { get; init; }

    /// <summary>The new-run form's label.</summary>
    public required string Label { get; init; }

    /// <summary>What the field means, in one short sentence (form helper text, CLI help, docs).</summary>
    public required string Help { get; init; }

    /// <summary>The values <see cref="RunSpec.Validate"/> accepts, in words.</summary>
    public required string Limits { get; init; }

    public required RunSpecFieldKind Kind { get; init; }

    /// <summary>The field's type in the API's JSON, in words (docs/run-spec.md and the API's type errors).</summary>
    public string JsonType => Kind switch
    {
        RunSpecFieldKind.Text => "string",
        RunSpecFieldKind.OptionalText => "string or null",
        RunSpecFieldKind.Tags => "array of strings",
        RunSpecFieldKind.Int or RunSpecFieldKind.Long => "integer",
        RunSpecFieldKind.OptionalInt => "integer or null",
        RunSpecFieldKind.Double => "number",
        RunSpecFieldKind.OptionalDouble => "number or null",
        RunSpecFieldKind.Preset => "string or null",
        RunSpecFieldKind.Choice => "string",
        RunSpecFieldKind.Parent => "`{runId, epoch}` or null",
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "No JSON type for this kind."),
    };

    /// <summary>A fork must keep its parent's value (the parent's networks fix it).</summary>
    public bool FixedForFork { get; init; }

    /// <summary>The names of the values a <see cref="RunSpecFieldKind.Choice"/> field takes, in order; empty for other kinds.</summary>
    public abstract IReadOnlyList<string> Choices { get; }

    /// <summary>The field's value in a spec as text, as the run page and the docs show it.</summary>
    public abstract string Display(RunSpec spec);

    /// <summary>The spec with this choice field set to the value named (any case).</summary>
    public abstract RunSpec WithChoice(RunSpec spec, string choice);
}
