namespace DigitGan.Shared.Runs;

/// <summary>A page of runs and the total that matched the filter.</summary>
public sealed record RunPage(IReadOnlyList<RunSummary> Runs, int Total, int Page, int PageSize);
