using System.Text.Json;

namespace DigitGan.Shared.Sweeps;

/// <summary>One field of the run spec that a sweep varies, named as in the run spec's JSON (docs/run-spec.md).</summary>
public sealed record SweepAxis
{
    /// <summary>The run spec field, by its schema name, e.g. learningRate or seed.</summary>
    public string Field { get; init; } = "";

    public SweepAxisKind Kind { get; init; } = SweepAxisKind.Grid;

    /// <summary>A grid axis's values, as JSON values of the field's type (e.g. 1e-4, "Hinge").</summary>
    public IReadOnlyList<JsonElement> Values { get; init; } = [];

    /// <summary>The lower end of a random axis's range.</summary>
    public double? Min { get; init; }

    /// <summary>The upper end of a random axis's range.</summary>
    public double? Max { get; init; }

    public bool IsRandom => Kind is SweepAxisKind.Uniform or SweepAxisKind.LogUniform;
}
