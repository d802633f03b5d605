namespace DigitGan.Shared.Runs;

/// <summary>What `gc` found: artifacts of runs without a manifest, temp files of crashed writes, lock files of no live path or of finished runs.</summary>
public sealed record StoreGarbageReport(IReadOnlyList<string> OrphanArtifacts, IReadOnlyList<string> StaleTempFiles, IReadOnlyList<string> OrphanLockFiles, bool Removed)
{
    public int Count => OrphanArtifacts.Count + StaleTempFiles.Count + OrphanLockFiles.Count;
}
