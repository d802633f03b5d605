using System.Text.Json;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using DigitGan.Shared.Tests.TestSupport;
using Xunit;

namespace DigitGan.Shared.Tests.Runs;

/// <summary>Only what the list shows reaches the index, and progress is written at most once per interval; status at once.</summary>
public sealed class IndexCoalescingTests : IDisposable
{
    private readonly TempDirectory _temp = new("coalesce");
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly IndexWriteCountingStore _store;
    private readonly RunRepository _runs;

    public IndexCoalescingTests()
    {
        _store = new IndexWriteCountingStore(new FileArtifactStore(_temp.Path));
        _runs = new RunRepository(_store, _clock) { IndexFlushInterval = TimeSpan.FromSeconds(15) };
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private async Task<RunSummary> ListedAsync(Guid runId) => (await _runs.ListAsync(new RunQuery(), Ct)).Runs.Single(r => r.RunId == runId);

    [Fact]
    public async Task Progress_every_5_s_for_a_minute_writes_the_index_a_few_times_and_a_status_change_at_once_with_the_latest_progress()
    {
        var run = await _runs.CreateAsync(new RunSpec { Name = "coalesced", Epochs = 10 }, cancellationToken: Ct);
        await _runs.UpdateAsync(run.RunId, m => m with { Status = RunStatus.Running }, Ct);
        Assert.Equal(RunStatus.Running, (await ListedAsync(run.RunId)).Status); // a status change is listed at once
        var before = _store.IndexWrites;

        for (var i = 1; i <= 13; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(5));
            await _runs.UpdateAsync(run.RunId, m => m with { Progress = m.Progress with { Step = i, ImagesPerSecond = 100 + i, EtaSeconds = 600 - (5 * i), Epoch = i / 4 } }, Ct);
        }

        // 13 progress writes in 65 s, at most one index write per 15 s.
        Assert.InRange(_store.IndexWrites - before, 1, 4);
        var listed = await ListedAsync(run.RunId);
        Assert.True(listed.ImagesPerSecond < 113, "the last progress write should still be held back");
        Assert.Equal(RunStatus.Running, listed.Status);

        // A change the list does not show writes nothing.
        var unshown = _store.IndexWrites;
        await _runs.UpdateAsync(run.RunId, m => m with { JobId = "42" }, Ct);
        Assert.Equal(unshown, _store.IndexWrites);

        // A status change is written at once, with the progress held back.
        await _runs.UpdateAsync(run.RunId, m => m with { Status = RunStatus.Succeeded, FinishedAt = _clock.GetUtcNow() }, Ct);
        Assert.Equal(unshown + 1, _store.IndexWrites);
        listed = await ListedAsync(run.RunId);
        Assert.Equal((RunStatus.Succeeded, 113.0, 3), (listed.Status, listed.ImagesPerSecond, listed.Epoch));
    }

    [Fact]
    public async Task Held_back_progress_is_written_by_a_flush_and_the_index_then_matches_the_manifest()
    {
        var run = await _runs.CreateAsync(new RunSpec { Name = "flushed" }, cancellationToken: Ct);
        await _runs.UpdateAsync(run.RunId, m => m with { Status = RunStatus.Running }, Ct);
        var manifest = await _runs.UpdateAsync(run.RunId, m => m with { Progress = m.Progress with { ImagesPerSecond = 321 } }, Ct);
        Assert.NotEqual(321, (await ListedAsync(run.RunId)).ImagesPerSecond);

        await _runs.FlushIndexAsync(Ct);

        // Compared as JSON: the summary holds lists (tags, the spec's tags), which records compare by reference.
        Assert.Equal(JsonSerializer.Serialize(RunSummary.From(manifest), ArtifactJson.Options), JsonSerializer.Serialize(await ListedAsync(run.RunId), ArtifactJson.Options));
    }

    [Fact]
    public async Task Start_up_reconciliation_brings_an_index_left_behind_by_a_crash_back_in_step()
    {
        var run = await _runs.CreateAsync(new RunSpec { Name = "crashed" }, cancellationToken: Ct);
        // A crash right after the manifest write: the manifest says Succeeded, the index still Queued, and a run is missing.
        var path = RunArtifactLayout.Manifest(run.RunId);
        var manifest = (await _store.GetJsonAsync<RunManifest>(path, Ct))!.Value.Value;
        await _store.PutJsonAsync(path, manifest with { Status = RunStatus.Succeeded }, cancellationToken: Ct);
        var unlisted = manifest with { RunId = Guid.CreateVersion7(), Spec = manifest.Spec with { Name = "unlisted" } };
        await _store.PutJsonAsync(RunArtifactLayout.Manifest(unlisted.RunId), unlisted, cancellationToken: Ct);
        Assert.Equal(RunStatus.Queued, (await ListedAsync(run.RunId)).Status);

        var summaries = await new RunRepository(_store).ReconcileIndexAsync(Ct);

        Assert.Equal(2, summaries.Count);
        Assert.Equal(RunStatus.Succeeded, (await ListedAsync(run.RunId)).Status);
        Assert.Equal("unlisted", (await ListedAsync(unlisted.RunId)).Name);
        var writes = _store.IndexWrites;
        await new RunRepository(_store).ReconcileIndexAsync(Ct);
        Assert.Equal(writes, _store.IndexWrites); // in step: nothing written
    }
}
