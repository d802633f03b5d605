using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Runs;
using DigitGan.Testing;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Tests.Faults;

/// <summary>
/// Faults injected into the real services while a run trains: Azurite dies mid-upload, the file store's disk fills,
/// a second worker takes a broken lease. Tiny runs (5 steps of 64 images an epoch, no quality metrics).
/// </summary>
public sealed class StoreFaultTests
{
    private static readonly RunSpec Spec = new() { Epochs = 3, BatchSize = 64, TrainSubset = 320, EvaluateEvery = 0, CheckpointEvery = 1, Seed = 17 };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Azurite_killed_during_a_checkpoint_upload_and_restarted_the_run_continues_and_every_checkpoint_verifies()
    {
        using var azurite = new AzuriteServer();
        var blob = BlobArtifactStore.FromConnectionString(azurite.ConnectionString, "outage");
        await MnistDataset.ImportAsync(blob, DataPaths.MnistCache, Ct);
        var store = new HookedStore(blob);
        var runs = new RunRepository(store);
        var run = await runs.CreateAsync(Spec, cancellationToken: Ct);
        var upload = RunArtifactLayout.Checkpoint(run.RunId, 2);
        TripwireStream? tripwire = null;
        string? seenWhileTheUploadWaits = null;
        store.BeforePut = (path, content) =>
        {
            if (path != upload || tripwire is not null)
            {
                return content;
            }

            using var copy = new MemoryStream();
            content.CopyTo(copy);
            tripwire = new TripwireStream(copy.ToArray(), 64 * 1024, () =>
            {
                azurite.Kill();
                azurite.Restart();
                seenWhileTheUploadWaits = DescribeCheckpointsAsync(BlobArtifactStore.FromConnectionString(azurite.ConnectionString, "outage"), run.RunId).GetAwaiter().GetResult();
            });
            return tripwire;
        };

        var done = await new TrainingRunner(runs, new RecordingObserver()).RunAsync(run.RunId, CPU, get_num_threads(), Ct);

        Assert.NotNull(tripwire);
        Assert.True(tripwire.Rewinds >= 1, "the checkpoint upload was not sent again after the outage");
        // Restarted mid-upload: the half-sent checkpoint is nowhere, `latest` is still epoch 1's and checks out.
        Assert.Equal("epoch-0001=1 latest=1", seenWhileTheUploadWaits);
        Assert.Equal((RunStatus.Succeeded, 3), (done.Status, done.LatestCheckpointEpoch));
        Assert.Equal([1, 2, 3], done.CheckpointEpochs);
        Assert.Equal("epoch-0001=1 epoch-0002=2 epoch-0003=3 latest=3", await DescribeCheckpointsAsync(blob, run.RunId));
        Assert.Equal(new[] { 1, 2, 3 }, await EpochsAsync(blob, run.RunId));
    }

    [Fact]
    public async Task A_disk_that_fills_during_a_checkpoint_write_fails_the_attempt_readably_keeps_the_previous_checkpoint_and_the_retry_finishes()
    {
        using var disk = SmallDisk.TryCreate(megabytes: 384);
        var root = disk?.Path ?? Directory.CreateTempSubdirectory("digitgan-disk-").FullName;
        try
        {
            var files = new FileArtifactStore(Path.Combine(root, "store"));
            await MnistDataset.ImportAsync(files, DataPaths.MnistCache, Ct);
            var store = new HookedStore(files);
            var runs = new RunRepository(store);
            var run = await runs.CreateAsync(Spec, cancellationToken: Ct);
            var filled = false;
            store.BeforePut = (path, content) =>
            {
                if (path != RunArtifactLayout.Checkpoint(run.RunId, 2) || filled)
                {
                    return content;
                }

                filled = true;
                if (disk is not null)
                {
                    disk.FillLeaving(64 * 1024); // room for a manifest, not for a checkpoint
                    return content;
                }

                return new DiskFullStream(content, 64 * 1024);
            };
            var job = new TrainingJob(store, NullLogger<TrainingJob>.Instance);

            var error = await Assert.ThrowsAsync<IOException>(() => job.RunAsync(run.RunId, Ct));

            Assert.True(filled, error.ToString());
            Assert.Contains("No space left on device", error.Message, StringComparison.Ordinal);
            var failed = (await runs.GetAsync(run.RunId, Ct))!;
            Assert.Equal((RunStatus.Queued, 1), (failed.Status, failed.LatestCheckpointEpoch));
            Assert.Contains("will be retried", failed.Error, StringComparison.Ordinal);
            Assert.Contains("No space left on device", failed.Error, StringComparison.Ordinal);
            Assert.Equal("epoch-0001=1 latest=1", await DescribeCheckpointsAsync(files, run.RunId));
            Assert.Empty(Directory.GetFiles(Path.Combine(files.Root, ".tmp")));

            disk?.Free();
            await job.RunAsync(run.RunId, Ct); // Hangfire's retry

            var done = (await runs.GetAsync(run.RunId, Ct))!;
            Assert.True(done.Status == RunStatus.Succeeded, $"{done.Status}: {done.Error}");
            Assert.Equal("epoch-0001=1 epoch-0002=2 epoch-0003=3 latest=3", await DescribeCheckpointsAsync(files, run.RunId));
            Assert.Equal(new[] { 1, 2, 3 }, await EpochsAsync(files, run.RunId));
        }
        finally
        {
            if (disk is null)
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Two_workers_and_a_broken_lease_only_the_one_holding_it_writes_the_run()
    {
        using var azurite = new AzuriteServer();
        const string container = "lease";
        var shared = BlobArtifactStore.FromConnectionString(azurite.ConnectionString, container);
        await MnistDataset.ImportAsync(shared, DataPaths.MnistCache, Ct);
        var spec = Spec with { Epochs = 4 };
        var run = await new RunRepository(shared).CreateAsync(spec, cancellationToken: Ct);

        // Two workers, each with its own client; the first renews its lease only every 20 s (the default).
        var first = new HookedStore(BlobArtifactStore.FromConnectionString(azurite.ConnectionString, container));
        var second = new HookedStore(BlobArtifactStore.FromConnectionString(azurite.ConnectionString, container));
        var secondHolds = new TaskCompletionSource();
        second.LeaseTaken = () => secondHolds.TrySetResult();
        DateTimeOffset? brokenAt = null;
        Task<RunManifest>? secondWorker = null;
        var firstObserver = new RecordingObserver((epoch, step) =>
        {
            if (epoch == 2 && step == 2 && brokenAt is null)
            {
                // Break the first worker's lease (as an operator or a lapse would) and let the second worker take the run
                // before the first one takes its next step.
                shared.Container.GetBlobClient(RunArtifactLayout.Lease(run.RunId)).GetBlobLeaseClient().Break(TimeSpan.Zero, cancellationToken: Ct);
                brokenAt = DateTimeOffset.UtcNow;
                secondWorker = Task.Run(() => new TrainingRunner(new RunRepository(second), new RecordingObserver()).RunAsync(run.RunId, CPU, 1, Ct));
                Assert.True(secondHolds.Task.Wait(TimeSpan.FromSeconds(30)), "the second worker did not take the broken lease");
            }
        });

        await Assert.ThrowsAsync<RunLeaseLostException>(() => new TrainingRunner(new RunRepository(first), firstObserver) { ProgressInterval = TimeSpan.Zero }
            .RunAsync(run.RunId, CPU, 1, Ct));
        var done = await secondWorker!;

        Assert.Empty(first.Writes.Where(w => w.At >= brokenAt).Select(w => w.Path));
        Assert.NotEmpty(second.Writes);
        Assert.Equal((RunStatus.Succeeded, 4), (done.Status, done.LatestCheckpointEpoch));
        Assert.Equal(new[] { 1, 2, 3, 4 }, await EpochsAsync(shared, run.RunId));
        Assert.Equal("epoch-0001=1 epoch-0002=2 epoch-0003=3 epoch-0004=4 latest=4", await DescribeCheckpointsAsync(shared, run.RunId));
    }

    /// <summary>Each checkpoint of the run with the epoch it restores (which verifies its hash), in name order.</summary>
    private static async Task<string> DescribeCheckpointsAsync(IArtifactStore store, Guid runId)
    {
        var described = new List<string>();
        await foreach (var info in store.ListAsync(RunArtifactLayout.CheckpointsPrefix(runId)))
        {
            using var trainer = new DcganTrainer(Spec, CPU);
            var bytes = (await store.GetBytesAsync(info.Path))!;
            described.Add($"{Path.GetFileNameWithoutExtension(info.Path)}={Checkpoint.Restore(trainer, bytes, info.Path).Epoch}");
        }

        return string.Join(' ', described);
    }

    private static async Task<int[]> EpochsAsync(IArtifactStore store, Guid runId)
        => [.. RunHistory.Parse((await store.GetTextAsync(RunArtifactLayout.Metrics(runId)))?.Text).Epochs.Select(e => e.Epoch)];

    /// <summary>Where no small disk can be mounted: the content of a write that runs out of space after <paramref name="room"/> bytes.</summary>
    private sealed class DiskFullStream(Stream inner, long room) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            _read += read;
            return _read > room ? throw new IOException("No space left on device") : read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
