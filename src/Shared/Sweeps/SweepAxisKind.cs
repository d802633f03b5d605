namespace DigitGan.Shared.Sweeps;

/// <summary>How a sweep axis gives its values.</summary>
public enum SweepAxisKind
{
    /// <summary>The listed values, each crossed with every value of the other grid axes.</summary>
    Grid,

    /// <summary>A draw per trial, uniform between min and max.</summary>
    Uniform,

    /// <summary>A draw per trial whose logarithm is uniform between log(min) and log(max) (learning rates).</summary>
    LogUniform,
}
