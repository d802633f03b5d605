using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using Xunit;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Tests.Training;

/// <summary>metrics.jsonl grows by appends (each epoch costs what it adds), and step lines arrive during an epoch.</summary>
public sealed class MetricsAppendTests(MnistStoreFixture fixture) : IClassFixture<MnistStoreFixture>
{
    private static readonly RunSpec Spec = new() { Epochs = 2, BatchSize = 64, TrainSubset = 320, EvaluateEvery = 0, Seed = 5 };

    [Fact]
    public async Task Metrics_are_appended_never_rewritten_and_step_lines_are_written_within_the_epoch()
    {
        var store = new CountingStore(fixture.Store);
        var runs = new RunRepository(store);
        var created = await runs.CreateAsync(Spec, cancellationToken: TestContext.Current.CancellationToken);
        var path = RunArtifactLayout.Metrics(created.RunId);
        var linesSeenMidEpoch = new List<int>();
        var observer = new RecordingObserver((epoch, step) =>
        {
            if (epoch == 2 && step == 3)
            {
                linesSeenMidEpoch.Add(MetricsLines.Split(fixture.Store.GetTextAsync(path).GetAwaiter().GetResult()!.Value.Text).Count());
            }
        });

        await new TrainingRunner(runs, observer) { MetricsInterval = TimeSpan.Zero }.RunAsync(created.RunId, CPU, get_num_threads());

        Assert.Equal(0, store.Puts(path));
        Assert.True(store.Appends(path) > Spec.Epochs, $"{store.Appends(path)} appends");
        Assert.True(linesSeenMidEpoch.Single() >= 5 + 1 + 2, $"{linesSeenMidEpoch.Single()} lines during epoch 2"); // epoch 1's 5 steps and summary, 2 steps of epoch 2
        var records = MetricsLines.Split((await fixture.Store.GetTextAsync(path))!.Value.Text).Select(l => MetricsLines.Parse(l)!).ToList();
        Assert.Equal(Enumerable.Range(1, 5).Select(s => (1, s)).Concat(Enumerable.Range(1, 5).Select(s => (2, s))), records.OfType<StepMetrics>().Select(s => (s.Epoch, s.Step)));
        Assert.Equal([1, 2], records.OfType<EpochMetrics>().Select(e => e.Epoch));
    }

    /// <summary>Counts whole writes and appends per path.</summary>
    private sealed class CountingStore(IArtifactStore inner) : IArtifactStore
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _puts = new();
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _appends = new();

        public int Puts(string path) => _puts.GetValueOrDefault(path);

        public int Appends(string path) => _appends.GetValueOrDefault(path);

        public string Description => inner.Description;

        public Task<ArtifactReader?> OpenReadAsync(string path, CancellationToken cancellationToken = default) => inner.OpenReadAsync(path, cancellationToken);

        public Task<string> PutAsync(string path, Stream content, WriteCondition? condition = null, CancellationToken cancellationToken = default)
        {
            _puts.AddOrUpdate(path, 1, (_, n) => n + 1);
            return inner.PutAsync(path, content, condition, cancellationToken);
        }

        public Task AppendAsync(string path, Stream content, CancellationToken cancellationToken = default)
        {
            _appends.AddOrUpdate(path, 1, (_, n) => n + 1);
            return inner.AppendAsync(path, content, cancellationToken);
        }

        public Task<ArtifactInfo?> GetInfoAsync(string path, CancellationToken cancellationToken = default) => inner.GetInfoAsync(path, cancellationToken);

        public IAsyncEnumerable<ArtifactInfo> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

        public Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default) => inner.DeleteAsync(path, cancellationToken);

        public Task<IArtifactLease?> TryAcquireLeaseAsync(string path, CancellationToken cancellationToken = default) => inner.TryAcquireLeaseAsync(path, cancellationToken);
    }
}
