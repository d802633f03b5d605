using DigitGan.Shared.Runs;

namespace DigitGan.Shared.Sweeps;

/// <summary>
/// A hyperparameter sweep (docs/sweeps.md): a base run spec, the axes that vary its fields (a grid of values, or
/// random draws for <see cref="Trials"/> trials from <see cref="Seed"/>), and optionally successive halving.
/// </summary>
public sealed record SweepSpec
{
    /// <summary>At most this many runs per sweep (grid points times random trials).</summary>
    public const int MaxRuns = 64;

    public const int MaxAxes = 6;
    public const int MaxNameLength = 60;

    public string Name { get; init; } = "sweep";

    /// <summary>What every run starts from; the axes change its fields.</summary>
    public RunSpec Base { get; init; } = new();

    public IReadOnlyList<SweepAxis> Axes { get; init; } = [];

    /// <summary>How many random draws the uniform and log-uniform axes make (each crossed with the grid); 1 without such axes.</summary>
    public int Trials { get; init; } = 1;

    /// <summary>Seeds the random draws: same sweep seed, same trials.</summary>
    public long Seed { get; init; }

    /// <summary>Successive halving; null trains every run to the base spec's epochs.</summary>
    public AshaSettings? Asha { get; init; }

    /// <summary>Checks every field, expanding the trials to check their specs; the problems by field path, empty when valid.</summary>
    public IReadOnlyDictionary<string, string[]> Validate() => SweepExpansion.TryExpand(this, Guid.Empty).Errors;
}
