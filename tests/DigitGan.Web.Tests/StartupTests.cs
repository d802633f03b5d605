using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Jobs;
using DigitGan.Shared.Runs;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace DigitGan.Web.Tests;

/// <summary>What the app does at start with runs a previous process left behind.</summary>
public sealed class StartupTests : IDisposable
{
    private readonly WebAppFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Runs_left_queued_or_running_are_enqueued_again_and_finished_ones_are_not()
    {
        // A previous process's store: the in-memory queue that held these runs' jobs is gone.
        var runs = new RunRepository(new FileArtifactStore(Path.Combine(_factory.DataFolder, "store")));
        var queued = await runs.CreateAsync(new RunSpec { Name = "left-queued" }, cancellationToken: TestContext.Current.CancellationToken);
        var running = await runs.CreateAsync(new RunSpec { Name = "left-running" }, cancellationToken: TestContext.Current.CancellationToken);
        await runs.UpdateAsync(running.RunId, m => m with { Status = RunStatus.Running, JobId = "42" }, TestContext.Current.CancellationToken);
        var finished = await runs.CreateAsync(new RunSpec { Name = "done" }, cancellationToken: TestContext.Current.CancellationToken);
        await runs.UpdateAsync(finished.RunId, m => m with { Status = RunStatus.Succeeded }, TestContext.Current.CancellationToken);

        using var client = _factory.CreateClient(); // starts the app

        var enqueued = _factory.Services.GetRequiredService<JobStorage>().GetMonitoringApi()
            .EnqueuedJobs(ITrainingJob.Queue, 0, 100).Select(j => (Guid)j.Value.Job.Args[0]).ToList();
        Assert.Equal([queued.RunId, running.RunId], enqueued.Order());
        Assert.NotEqual("42", (await WebAppFactory.GetRunAsync(client, running.RunId)).JobId);
    }

    [Fact]
    public async Task A_corrupt_manifest_does_not_stop_the_re_enqueue_of_the_other_runs()
    {
        var store = new FileArtifactStore(Path.Combine(_factory.DataFolder, "store"));
        var runs = new RunRepository(store);
        var older = await runs.CreateAsync(new RunSpec { Name = "older" }, cancellationToken: TestContext.Current.CancellationToken);
        var middle = await runs.CreateAsync(new RunSpec { Name = "middle" }, cancellationToken: TestContext.Current.CancellationToken);
        var newest = await runs.CreateAsync(new RunSpec { Name = "newest" }, cancellationToken: TestContext.Current.CancellationToken);
        await store.PutTextAsync(RunArtifactLayout.Manifest(newest.RunId), "{ \"runId\": ", cancellationToken: TestContext.Current.CancellationToken);

        using var client = _factory.CreateClient(); // starts the app

        var enqueued = _factory.Services.GetRequiredService<JobStorage>().GetMonitoringApi()
            .EnqueuedJobs(ITrainingJob.Queue, 0, 100).Select(j => (Guid)j.Value.Job.Args[0]).ToList();
        Assert.Equal(new[] { older.RunId, middle.RunId }.Order(), enqueued.Order());
    }
}
