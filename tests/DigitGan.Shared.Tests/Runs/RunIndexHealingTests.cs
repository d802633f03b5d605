using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using DigitGan.Shared.Tests.TestSupport;
using Xunit;

namespace DigitGan.Shared.Tests.Runs;

/// <summary>The run index heals itself: a missing or unreadable index is rebuilt from the manifests, never from fewer.</summary>
public sealed class RunIndexHealingTests : IDisposable
{
    private readonly TempDirectory _temp = new("index");
    private readonly FileArtifactStore _store;
    private readonly RunRepository _runs;

    public RunIndexHealingTests()
    {
        _store = new FileArtifactStore(_temp.Path);
        _runs = new RunRepository(_store);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private async Task<List<Guid>> CreateRunsAsync(int count)
    {
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            ids.Add((await _runs.CreateAsync(new RunSpec { Name = $"run-{i}" }, cancellationToken: Ct)).RunId);
        }

        return ids;
    }

    private async Task<IReadOnlyList<Guid>> ListedAsync() => [.. (await _runs.ListAsync(new RunQuery { PageSize = RunQuery.MaxPageSize }, Ct)).Runs.Select(r => r.RunId)];

    [Fact]
    public async Task An_unreadable_index_is_rebuilt_on_read_with_every_run()
    {
        var ids = await CreateRunsAsync(3);
        await _store.PutTextAsync(RunArtifactLayout.RunIndex, "{ not json", cancellationToken: Ct);

        Assert.Equal(ids.Order(), (await ListedAsync()).Order());
        Assert.Equal(3, (await _store.GetJsonAsync<RunIndex>(RunArtifactLayout.RunIndex, Ct))!.Value.Value.Runs.Count);
    }

    [Fact]
    public async Task An_unreadable_index_is_rebuilt_on_update_and_the_new_run_is_listed()
    {
        var ids = await CreateRunsAsync(2);
        await _store.PutTextAsync(RunArtifactLayout.RunIndex, "\0\0garbage", cancellationToken: Ct);

        var created = await _runs.CreateAsync(new RunSpec { Name = "after-damage" }, cancellationToken: Ct);
        await _runs.UpdateAsync(ids[0], m => m with { Status = RunStatus.Running }, Ct);

        Assert.Equal(ids.Append(created.RunId).Order(), (await ListedAsync()).Order());
        Assert.Equal(1, (await _runs.ListAsync(new RunQuery { Status = RunStatus.Running }, Ct)).Total);
    }

    [Fact]
    public async Task A_missing_index_is_rebuilt_on_update_so_no_run_vanishes()
    {
        var ids = await CreateRunsAsync(3);
        await _store.DeleteAsync(RunArtifactLayout.RunIndex, Ct);

        var created = await _runs.CreateAsync(new RunSpec { Name = "after-loss" }, cancellationToken: Ct);

        var index = (await _store.GetJsonAsync<RunIndex>(RunArtifactLayout.RunIndex, Ct))!.Value.Value;
        Assert.Equal(ids.Append(created.RunId).Order(), index.Runs.Select(r => r.RunId).Order());
    }

    [Fact]
    public async Task A_manifest_that_cannot_be_read_stops_the_rebuild_and_nothing_is_written()
    {
        await CreateRunsAsync(2);
        await _store.DeleteAsync(RunArtifactLayout.RunIndex, Ct);
        var failing = new RunRepository(new UnreadableManifestsStore(_store));

        await Assert.ThrowsAsync<IOException>(() => failing.ListAsync(new RunQuery(), Ct));
        await Assert.ThrowsAsync<IOException>(() => failing.CreateAsync(new RunSpec { Name = "during-outage" }, cancellationToken: Ct));

        Assert.False(await _store.ExistsAsync(RunArtifactLayout.RunIndex, Ct));
    }

    [Fact]
    public async Task A_corrupt_manifest_makes_only_its_run_damaged_and_the_run_can_be_deleted()
    {
        var ids = await CreateRunsAsync(3);
        await _store.PutTextAsync(RunArtifactLayout.Manifest(ids[1]), "{\"runId\":", cancellationToken: Ct);

        var damaged = await _runs.GetAsync(ids[1], Ct);
        Assert.Equal(RunStatus.Damaged, damaged!.Status);
        Assert.True(damaged.IsFinished);
        Assert.Contains(RunArtifactLayout.Manifest(ids[1]), damaged.Error, StringComparison.Ordinal);
        await Assert.ThrowsAsync<RunDamagedException>(() => _runs.UpdateAsync(ids[1], m => m with { Status = RunStatus.Running }, Ct));

        await _store.DeleteAsync(RunArtifactLayout.RunIndex, Ct);
        var listed = (await _runs.ListAsync(new RunQuery(), Ct)).Runs.ToDictionary(r => r.RunId);
        Assert.Equal(RunStatus.Damaged, listed[ids[1]].Status);
        Assert.Equal(damaged.Error, listed[ids[1]].Error);
        Assert.Equal(RunStatus.Queued, listed[ids[0]].Status);
        Assert.Equal(RunStatus.Damaged, (await _runs.ListAsync(new RunQuery { Status = RunStatus.Damaged }, Ct)).Runs.Single().Status);

        Assert.True(await _runs.DeleteAsync(ids[1], Ct));
        Assert.False(Directory.Exists(_temp.Combine("runs", ids[1].ToString())));
        Assert.Equal(ids.Where(id => id != ids[1]).Order(), (await ListedAsync()).Order());
    }

    [Fact]
    public async Task A_manifest_change_the_list_does_not_show_leaves_the_index_unwritten()
    {
        var ids = await CreateRunsAsync(2);
        var before = (await _store.GetInfoAsync(RunArtifactLayout.RunIndex, Ct))!.ETag;

        await _runs.UpdateAsync(ids[0], m => m with { JobId = "17", PickedUpAt = DateTimeOffset.UtcNow }, Ct);
        Assert.Equal(before, (await _store.GetInfoAsync(RunArtifactLayout.RunIndex, Ct))!.ETag);

        await _runs.UpdateAsync(ids[0], m => m with { Status = RunStatus.Running }, Ct);
        Assert.NotEqual(before, (await _store.GetInfoAsync(RunArtifactLayout.RunIndex, Ct))!.ETag);
        Assert.Equal(RunStatus.Running, (await _runs.ListAsync(new RunQuery { Status = RunStatus.Running }, Ct)).Runs.Single().Status);
    }
}
