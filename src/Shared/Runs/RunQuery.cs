namespace DigitGan.Shared.Runs;

/// <summary>Which runs to list: by status and tag (both optional), a page at a time, newest first.</summary>
public sealed record RunQuery
{
    public const int MaxPageSize = 200;

    /// <summary>The highest page asked for (far beyond any store: 200 million runs at the largest page size).</summary>
    public const int MaxPage = 1_000_000;

    public RunStatus? Status { get; init; }
    public string? Tag { get; init; }
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = 50;
}
