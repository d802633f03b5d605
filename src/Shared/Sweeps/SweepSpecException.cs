namespace DigitGan.Shared.Sweeps;

/// <summary>A sweep spec failed validation; the errors are keyed by field path (e.g. axes[0].field, asha.minEpochs, base.epochs).</summary>
public sealed class SweepSpecException(IReadOnlyDictionary<string, string[]> errors)
    : Exception("The sweep spec is invalid: " + string.Join(" ", errors.SelectMany(e => e.Value)))
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}
