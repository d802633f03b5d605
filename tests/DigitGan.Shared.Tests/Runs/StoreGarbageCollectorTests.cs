using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using DigitGan.Shared.Tests.TestSupport;
using Xunit;

namespace DigitGan.Shared.Tests.Runs;

/// <summary>`gc` finds what no run owns, removes it only when asked, and leaves live runs and young files alone.</summary>
public sealed class StoreGarbageCollectorTests : IDisposable
{
    private readonly TempDirectory _temp = new("gc");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private void Age(string relative) => File.SetLastWriteTimeUtc(_temp.Combine(relative.Split('/')), DateTime.UtcNow.AddHours(-2));

    [Fact]
    public async Task Orphans_are_reported_then_removed_and_live_runs_and_young_files_are_kept()
    {
        var store = new FileArtifactStore(_temp.Path);
        var runs = new RunRepository(store);
        var live = await runs.CreateAsync(new RunSpec { Name = "live" }, cancellationToken: Ct);
        var finished = await runs.CreateAsync(new RunSpec { Name = "finished" }, cancellationToken: Ct);
        await runs.UpdateAsync(finished.RunId, m => m with { Status = RunStatus.Succeeded }, Ct);
        foreach (var run in new[] { live.RunId, finished.RunId })
        {
            await using var lease = await store.TryAcquireLeaseAsync(RunArtifactLayout.Lease(run), Ct);
        }

        var deleted = Guid.CreateVersion7();
        await store.PutTextAsync(RunArtifactLayout.Metrics(deleted), "{}\n", cancellationToken: Ct);
        await store.PutTextAsync(RunArtifactLayout.LatestCheckpoint(deleted), "x", cancellationToken: Ct);
        var young = Guid.CreateVersion7();
        await store.PutTextAsync(RunArtifactLayout.LatestCheckpoint(young), "x", cancellationToken: Ct);
        Age($"runs/{deleted}/metrics.jsonl");
        Age($"runs/{deleted}/checkpoints/latest.ckpt");
        await File.WriteAllTextAsync(_temp.Combine(".tmp", "crashed-write"), "half", Ct);
        Age(".tmp/crashed-write");
        var deletedLock = FileArtifactStore.WriteLockName("runs/gone/manifest.json");
        await File.WriteAllTextAsync(_temp.Combine(".locks", deletedLock), "", Ct);
        foreach (var file in Directory.EnumerateFiles(_temp.Combine(".locks")))
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-2));
        }

        var collector = new StoreGarbageCollector(store);
        var report = await collector.CollectAsync(remove: false, StoreGarbageCollector.DefaultMinAge, Ct);

        Assert.Equal([RunArtifactLayout.LatestCheckpoint(deleted), RunArtifactLayout.Metrics(deleted)], report.OrphanArtifacts.Order());
        Assert.Equal([".tmp/crashed-write"], report.StaleTempFiles);
        Assert.Equal(new[] { $".locks/{deletedLock}", $".locks/{FileArtifactStore.LeaseLockName(RunArtifactLayout.Lease(finished.RunId))}" }.Order(), report.OrphanLockFiles.Order());
        Assert.True(await store.ExistsAsync(RunArtifactLayout.Metrics(deleted), Ct));

        var removed = await collector.CollectAsync(remove: true, StoreGarbageCollector.DefaultMinAge, Ct);

        Assert.Equal(report.Count, removed.Count);
        Assert.False(Directory.Exists(_temp.Combine("runs", deleted.ToString())));
        Assert.False(File.Exists(_temp.Combine(".tmp", "crashed-write")));
        Assert.False(File.Exists(_temp.Combine(".locks", deletedLock)));
        Assert.True(File.Exists(_temp.Combine(".locks", FileArtifactStore.LeaseLockName(RunArtifactLayout.Lease(live.RunId)))));
        Assert.True(await store.ExistsAsync(RunArtifactLayout.LatestCheckpoint(young), Ct));
        Assert.Equal(2, (await runs.ListAsync(new RunQuery(), Ct)).Total);
        Assert.Equal(0, (await collector.CollectAsync(remove: true, StoreGarbageCollector.DefaultMinAge, Ct)).Count);
    }

    [Fact]
    public async Task Opening_the_store_sweeps_temp_files_of_crashed_writes_but_not_recent_ones()
    {
        _ = new FileArtifactStore(_temp.Path);
        await File.WriteAllTextAsync(_temp.Combine(".tmp", "crashed"), "half", Ct);
        Age(".tmp/crashed");
        await File.WriteAllTextAsync(_temp.Combine(".tmp", "in-flight"), "half", Ct);

        _ = new FileArtifactStore(_temp.Path);

        Assert.Equal(["in-flight"], Directory.EnumerateFiles(_temp.Combine(".tmp")).Select(Path.GetFileName));
    }
}
