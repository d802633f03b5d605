namespace DigitGan.Shared.Runs;

/// <summary>One column of the runs table and its CSV: a key (the CSV header), a title, the cell as text and a value to sort by.</summary>
public sealed record RunTableColumn(string Key, string Title, Func<RunSummary, string> Text, Func<RunSummary, IComparable?> SortValue);
