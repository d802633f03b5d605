using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DigitGan.Jobs.Tests.Training;

/// <summary>How the Hangfire job treats failures: permanent ones fail the run once, transient ones are rethrown for a retry.</summary>
public sealed class TrainingJobTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("digitgan-job-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Missing_data_fails_the_run_once_with_the_reason_and_is_not_retried()
    {
        var store = new FileArtifactStore(_root);
        var runs = new RunRepository(store);
        var run = await runs.CreateAsync(new RunSpec { Epochs = 1 }, cancellationToken: Ct);

        await new TrainingJob(store, NullLogger<TrainingJob>.Instance).RunAsync(run.RunId, Ct); // returns: no retry

        var failed = (await runs.GetAsync(run.RunId, Ct))!;
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Contains("MNIST is not in the store", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_transient_storage_fault_keeps_the_run_queued_and_is_rethrown_for_a_retry()
    {
        var store = new FlakyDatasetStore(new FileArtifactStore(_root));
        var runs = new RunRepository(store);
        var run = await runs.CreateAsync(new RunSpec { Epochs = 1 }, cancellationToken: Ct);

        await Assert.ThrowsAsync<IOException>(() => new TrainingJob(store, NullLogger<TrainingJob>.Instance).RunAsync(run.RunId, Ct));

        var queued = (await runs.GetAsync(run.RunId, Ct))!;
        Assert.Equal(RunStatus.Queued, queued.Status);
        Assert.Contains("will be retried", queued.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_for_finished_deleted_or_cancel_requested_runs_do_nothing_harmful()
    {
        var store = new FileArtifactStore(_root);
        var runs = new RunRepository(store);
        var job = new TrainingJob(store, NullLogger<TrainingJob>.Instance);

        await job.RunAsync(Guid.NewGuid(), Ct); // deleted: nothing to do

        var done = await runs.CreateAsync(new RunSpec { Epochs = 1 }, cancellationToken: Ct);
        await runs.UpdateAsync(done.RunId, m => m with { Status = RunStatus.Succeeded }, Ct);
        await job.RunAsync(done.RunId, Ct);
        Assert.Equal(RunStatus.Succeeded, (await runs.GetAsync(done.RunId, Ct))!.Status);

        var cancelled = await runs.CreateAsync(new RunSpec { Epochs = 1 }, cancellationToken: Ct);
        await runs.UpdateAsync(cancelled.RunId, m => m with { CancelRequestedAt = DateTimeOffset.UtcNow }, Ct);
        await job.RunAsync(cancelled.RunId, Ct);
        Assert.Equal(RunStatus.Cancelled, (await runs.GetAsync(cancelled.RunId, Ct))!.Status);
    }

    /// <summary>A store whose dataset reads fail as a network fault would.</summary>
    private sealed class FlakyDatasetStore(IArtifactStore inner) : IArtifactStore
    {
        public string Description => inner.Description;

        public Task<ArtifactReader?> OpenReadAsync(string path, CancellationToken cancellationToken = default)
            => path.StartsWith(RunArtifactLayout.MnistPrefix, StringComparison.Ordinal)
                ? throw new IOException("connection reset by peer")
                : inner.OpenReadAsync(path, cancellationToken);

        public Task<string> PutAsync(string path, Stream content, WriteCondition? condition = null, CancellationToken cancellationToken = default) => inner.PutAsync(path, content, condition, cancellationToken);

        public Task AppendAsync(string path, Stream content, CancellationToken cancellationToken = default) => inner.AppendAsync(path, content, cancellationToken);

        public Task<ArtifactInfo?> GetInfoAsync(string path, CancellationToken cancellationToken = default) => inner.GetInfoAsync(path, cancellationToken);

        public IAsyncEnumerable<ArtifactInfo> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

        public Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default) => inner.DeleteAsync(path, cancellationToken);

        public Task<IArtifactLease?> TryAcquireLeaseAsync(string path, CancellationToken cancellationToken = default) => inner.TryAcquireLeaseAsync(path, cancellationToken);
    }
}
