namespace DigitGan.Shared.Runs;

/// <summary>runs/index.json: the summary of every run, newest first, kept in step with the manifests.</summary>
public sealed record RunIndex
{
    public IReadOnlyList<RunSummary> Runs { get; init; } = [];
}
