using System.Text.Json;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using DigitGan.Shared.Sweeps;
using DigitGan.Shared.Tests.TestSupport;
using Xunit;

namespace DigitGan.Shared.Tests.Sweeps;

public sealed class SweepRepositoryTests
{
    private static readonly SweepSpec Spec = new()
    {
        Name = "grid",
        Base = new RunSpec { Epochs = 2, BatchSize = 32, TrainSubset = 64 },
        Axes = [new SweepAxis { Field = "seed", Values = [JsonSerializer.SerializeToElement(1), JsonSerializer.SerializeToElement(2)] }],
        Asha = new AshaSettings { ReductionFactor = 2 },
    };

    [Fact]
    public async Task A_sweep_is_stored_with_its_trials_and_read_back_the_same()
    {
        using var folder = new TempDirectory("sweeps");
        var sweeps = new SweepRepository(new FileArtifactStore(folder.Path));

        var created = await sweeps.CreateAsync(Spec, "alice", TestContext.Current.CancellationToken);
        var read = await sweeps.GetAsync(created.SweepId, TestContext.Current.CancellationToken);

        Assert.NotNull(read);
        Assert.Equal(SweepStatus.Running, read.Status);
        Assert.Equal("alice", read.CreatedBy);
        Assert.Equal(created.Trials.Select(t => (t.RunId, t.Spec.Seed)), read.Trials.Select(t => (t.RunId, t.Spec.Seed)));
        Assert.Equal(SweepMetric.Fid, read.Spec.Asha!.Metric);
        Assert.Equal(JsonSerializer.Serialize(created, ArtifactJson.Options), JsonSerializer.Serialize(read, ArtifactJson.Options));
    }

    [Fact]
    public async Task A_corrupt_sweep_manifest_makes_only_that_sweep_damaged()
    {
        using var folder = new TempDirectory("sweeps");
        var store = new FileArtifactStore(folder.Path);
        var sweeps = new SweepRepository(store);
        var good = await sweeps.CreateAsync(Spec, "alice", TestContext.Current.CancellationToken);
        var bad = await sweeps.CreateAsync(Spec with { Name = "bad" }, "alice", TestContext.Current.CancellationToken);
        await store.PutTextAsync(SweepLayout.Manifest(bad.SweepId), "{\"sweepId\": tru", cancellationToken: TestContext.Current.CancellationToken);

        var listed = await sweeps.ListAsync(TestContext.Current.CancellationToken);

        Assert.Equal([bad.SweepId, good.SweepId], listed.Select(s => s.SweepId));
        Assert.Equal(SweepStatus.Damaged, listed[0].Status);
        Assert.Contains(SweepLayout.Manifest(bad.SweepId), listed[0].Error, StringComparison.Ordinal);
        Assert.Equal(SweepStatus.Running, listed[1].Status);
        Assert.Equal(2, listed[1].Trials.Count);
        await Assert.ThrowsAsync<InvalidDataException>(() => sweeps.UpdateAsync(bad.SweepId, s => s with { Status = SweepStatus.Stopped }, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Concurrent_updates_are_each_applied_once()
    {
        using var folder = new TempDirectory("sweeps");
        var sweeps = new SweepRepository(new FileArtifactStore(folder.Path));
        var created = await sweeps.CreateAsync(Spec, "alice", TestContext.Current.CancellationToken);

        await Task.WhenAll(Enumerable.Range(0, 2).Select(i => Task.Run(() => sweeps.UpdateAsync(created.SweepId, s => s with
        {
            Trials = [.. s.Trials.Select(t => t.Index == i ? t with { State = SweepTrialState.Submitted } : t)],
        }, TestContext.Current.CancellationToken))));

        var read = await sweeps.GetAsync(created.SweepId, TestContext.Current.CancellationToken);
        Assert.All(read!.Trials, t => Assert.Equal(SweepTrialState.Submitted, t.State));
    }
}
