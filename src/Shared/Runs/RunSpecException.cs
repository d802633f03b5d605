namespace DigitGan.Shared.Runs;

/// <summary>A run spec failed validation; the errors are keyed by spec field.</summary>
public sealed class RunSpecException(IReadOnlyDictionary<string, string[]> errors)
    : Exception("The run spec is invalid: " + string.Join(" ", errors.SelectMany(e => e.Value)))
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}
