namespace DigitGan.Shared.Runs;

/// <summary>A filter expression that does not parse: where (1-based character position) and why.</summary>
public sealed class RunFilterException(int position, string problem)
    : Exception($"Position {position}: {problem}")
{
    public int Position { get; } = position;

    public string Problem { get; } = problem;
}
