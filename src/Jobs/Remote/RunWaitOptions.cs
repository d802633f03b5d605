namespace DigitGan.Jobs.Remote;

/// <summary>How `submit --wait` follows a run: how long and how often to look, the FID it must reach, where its files and summary go.</summary>
public sealed record RunWaitOptions(TimeSpan Timeout, TimeSpan PollInterval, double? MaxFid, string? DownloadFolder, string? SummaryFile);
