namespace DigitGan.Shared.Runs;

/// <summary>Which runs to list: by status, tags, name and a filter expression (all optional), a page at a time, newest first.</summary>
public sealed record RunQuery
{
    public const int MaxPageSize = 200;

    /// <summary>The highest page asked for (far beyond any store: 200 million runs at the largest page size).</summary>
    public const int MaxPage = 1_000_000;

    public RunStatus? Status { get; init; }
    public string? Tag { get; init; }

    /// <summary>More tags a run must all have (with <see cref="Tag"/>).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Text the run's name contains (any case); null or empty matches every name.</summary>
    public string? Search { get; init; }

    /// <summary>A filter over parameters and summary metrics (see <see cref="RunFilter"/>); null for none.</summary>
    public RunFilter? Filter { get; init; }

    /// <summary>Whether a run passes the status, tag, name and filter conditions.</summary>
    public bool Matches(RunSummary run)
        => (Status is null || run.Status == Status)
           && (Tag is null || run.Tags.Contains(Tag, StringComparer.Ordinal))
           && Tags.All(tag => run.Tags.Contains(tag, StringComparer.Ordinal))
           && (string.IsNullOrWhiteSpace(Search) || run.Name.Contains(Search.Trim(), StringComparison.OrdinalIgnoreCase))
           && (Filter is null || Filter.Matches(run));
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = 50;
}
