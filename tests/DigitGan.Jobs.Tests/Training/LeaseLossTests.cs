using System.Text.Json;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using Xunit;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Tests.Training;

/// <summary>A trainer whose lease is lost stops at its next step and writes nothing more.</summary>
public sealed class LeaseLossTests(MnistStoreFixture fixture) : IClassFixture<MnistStoreFixture>
{
    private static readonly RunSpec Spec = new() { Epochs = 3, BatchSize = 64, TrainSubset = 320, EvaluateEvery = 0, Seed = 9 };

    [Fact]
    public async Task A_lost_lease_stops_training_at_the_next_step_and_nothing_more_is_written()
    {
        var store = new LosableLeaseStore(fixture.Store);
        var runs = new RunRepository(store);
        var created = await runs.CreateAsync(Spec);
        string? metricsAtLoss = null;
        RunManifest? manifestAtLoss = null;
        var steps = new List<(int, int)>();
        var observer = new RecordingObserver((epoch, step) =>
        {
            steps.Add((epoch, step));
            if (epoch == 2 && step == 2)
            {
                metricsAtLoss = File.ReadAllText(Path.Combine(fixture.Store.Root, RunArtifactLayout.Metrics(created.RunId)));
                manifestAtLoss = runs.GetAsync(created.RunId).GetAwaiter().GetResult();
                store.LoseLease();
            }
        });

        await Assert.ThrowsAsync<RunLeaseLostException>(() => new TrainingRunner(runs, observer) { ProgressInterval = TimeSpan.Zero, MetricsInterval = TimeSpan.Zero }
            .RunAsync(created.RunId, CPU, get_num_threads()));

        Assert.Equal((2, 2), steps[^1]);
        Assert.Equal(metricsAtLoss, File.ReadAllText(Path.Combine(fixture.Store.Root, RunArtifactLayout.Metrics(created.RunId))));
        var after = await runs.GetAsync(created.RunId);
        Assert.Equal(JsonSerializer.Serialize(manifestAtLoss, ArtifactJson.Options), JsonSerializer.Serialize(after, ArtifactJson.Options));
        Assert.Equal((RunStatus.Running, 1), (after!.Status, after.LatestCheckpointEpoch));
        Assert.Equal(0, store.WritesAfterLoss);
    }

    /// <summary>The file store, with a lease the test can declare lost, counting every write after that.</summary>
    private sealed class LosableLeaseStore(FileArtifactStore inner) : IArtifactStore
    {
        private readonly CancellationTokenSource _lost = new();

        public int WritesAfterLoss { get; private set; }

        public void LoseLease() => _lost.Cancel();

        public string Description => inner.Description;

        public Task<ArtifactReader?> OpenReadAsync(string path, CancellationToken cancellationToken = default) => inner.OpenReadAsync(path, cancellationToken);

        public Task<string> PutAsync(string path, Stream content, WriteCondition? condition = null, CancellationToken cancellationToken = default)
        {
            Count();
            return inner.PutAsync(path, content, condition, cancellationToken);
        }

        public Task AppendAsync(string path, Stream content, CancellationToken cancellationToken = default)
        {
            Count();
            return inner.AppendAsync(path, content, cancellationToken);
        }

        public Task<ArtifactInfo?> GetInfoAsync(string path, CancellationToken cancellationToken = default) => inner.GetInfoAsync(path, cancellationToken);

        public IAsyncEnumerable<ArtifactInfo> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

        public Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default)
        {
            Count();
            return inner.DeleteAsync(path, cancellationToken);
        }

        public async Task<IArtifactLease?> TryAcquireLeaseAsync(string path, CancellationToken cancellationToken = default)
            => await inner.TryAcquireLeaseAsync(path, cancellationToken).ConfigureAwait(false) is { } held ? new Lease(held, _lost.Token) : null;

        private void Count()
        {
            if (_lost.IsCancellationRequested)
            {
                WritesAfterLoss++;
            }
        }

        private sealed class Lease(IArtifactLease held, CancellationToken lost) : IArtifactLease
        {
            public CancellationToken Lost => lost;

            public ValueTask DisposeAsync() => held.DisposeAsync();
        }
    }
}
