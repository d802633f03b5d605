using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using DigitGan.Shared.Tests.TestSupport;
using Xunit;

namespace DigitGan.Shared.Tests.Runs;

public sealed class RunSpecTests : IDisposable
{
    private readonly TempDirectory _temp = new("runs");
    private readonly FileArtifactStore _store;
    private readonly RunRepository _repository;

    public RunSpecTests()
    {
        _store = new FileArtifactStore(_temp.Path);
        _repository = new RunRepository(_store);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void DefaultSpec_IsValidAndMatchesTheTutorial()
    {
        var spec = new RunSpec();

        Assert.Empty(spec.Validate());
        Assert.Equal(50, spec.Epochs);
        Assert.Equal(256, spec.BatchSize);
        Assert.Equal(1e-4, spec.LearningRate);
        Assert.Equal(0.9, spec.Beta1);
        Assert.Equal(0.999, spec.Beta2);
        Assert.Equal(100, spec.NoiseDim);
        Assert.Equal(15, spec.CheckpointEvery);
        Assert.Equal(1, spec.EvaluateEvery);
        Assert.Equal(10_000, spec.EvaluationSamples);
        Assert.Equal(StepKind.Shared, spec.Step);
        Assert.Equal(LearningRateSchedule.Constant, spec.LearningRateSchedule);
        Assert.Equal(1, spec.LearningRateFactor(1_000, 1_000));
        Assert.Null(spec.TrainSubset);
        Assert.Null(spec.MaxStepsPerEpoch);
        Assert.Equal(0, spec.Seed);
        Assert.Empty(spec.Tags);
    }

    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(2, 0.75)]
    [InlineData(4, 0.25)]
    [InlineData(5, 0)]
    public void TheLinearSchedule_FallsFromTheFullRateAtTheFirstStepToZeroAfterTheLast(long step, double factor)
    {
        Assert.Equal(factor, new RunSpec { LearningRateSchedule = LearningRateSchedule.Linear }.LearningRateFactor(step, 4));
    }

    [Theory]
    [InlineData(1, 2, 10_000, 500)]
    [InlineData(500, 4096, 4096, 1)]
    public void BoundaryValues_AreValid(int epochs, int batchSize, int trainSubset, int checkpointEvery)
    {
        var spec = new RunSpec
        {
            Epochs = epochs,
            BatchSize = batchSize,
            TrainSubset = trainSubset,
            CheckpointEvery = checkpointEvery,
            NoiseDim = RunSpec.MaxNoiseDim,
            LearningRate = 1,
            Beta1 = 0,
            MaxStepsPerEpoch = 1,
            Tags = ["baseline", "lr-1e-4", "v1.2_x"],
            Step = StepKind.Alternating,
            GeneratorTopK = RunSpec.MinGeneratorTopK,
            LatentClusters = RunSpec.MaxLatentClusters,
            ConsistencyWeight = RunSpec.MaxConsistencyWeight,
        };
        Assert.Empty(spec.Validate());
        Assert.Empty((spec with { GeneratorTopK = 1, LatentClusters = 2, NoiseDim = 2 }).Validate());
    }

    public static TheoryData<string, RunSpec> BadSpecs => new()
    {
        { "epochs", new RunSpec { Epochs = 0 } },
        { "epochs", new RunSpec { Epochs = 501 } },
        { "batchSize", new RunSpec { BatchSize = 1 } },
        { "batchSize", new RunSpec { BatchSize = 4097 } },
        { "learningRate", new RunSpec { LearningRate = 0 } },
        { "learningRate", new RunSpec { LearningRate = -1e-4 } },
        { "learningRate", new RunSpec { LearningRate = double.NaN } },
        { "learningRate", new RunSpec { LearningRate = double.PositiveInfinity } },
        { "beta1", new RunSpec { Beta1 = 1.0 } },
        { "beta1", new RunSpec { Beta1 = double.NaN } },
        { "beta2", new RunSpec { Beta2 = -0.1 } },
        { "noiseDim", new RunSpec { NoiseDim = 0 } },
        { "noiseDim", new RunSpec { NoiseDim = 1025 } },
        { "seed", new RunSpec { Seed = -1 } },
        { "trainSubset", new RunSpec { TrainSubset = 255 } },
        { "trainSubset", new RunSpec { BatchSize = 64, TrainSubset = 63 } },
        { "trainSubset", new RunSpec { TrainSubset = 60_001 } },
        { "checkpointEvery", new RunSpec { CheckpointEvery = 0 } },
        { "maxStepsPerEpoch", new RunSpec { MaxStepsPerEpoch = 0 } },
        { "evaluateEvery", new RunSpec { EvaluateEvery = -1 } },
        { "evaluationSamples", new RunSpec { EvaluationSamples = 99 } },
        { "evaluationSamples", new RunSpec { EvaluationSamples = 50_001 } },
        { "name", new RunSpec { Name = "" } },
        { "name", new RunSpec { Name = "   " } },
        { "name", new RunSpec { Name = new string('n', 101) } },
        { "tags", new RunSpec { Tags = ["ok", "has space"] } },
        { "tags", new RunSpec { Tags = [""] } },
        { "notes", new RunSpec { Notes = new string('x', RunSpec.MaxNotesLength + 1) } },
        { "step", new RunSpec { Step = (StepKind)7 } },
        { "sampleKeep", new RunSpec { SampleKeep = 0.2 } },
        { "sampleKeep", new RunSpec { SampleKeep = 1.5 } },
        { "sampleKeep", new RunSpec { SampleKeep = double.NaN } },
        { "generatorTopK", new RunSpec { GeneratorTopK = 0.2 } },
        { "generatorTopK", new RunSpec { GeneratorTopK = 1.01 } },
        { "generatorTopK", new RunSpec { GeneratorTopK = double.NaN } },
        { "consistencyWeight", new RunSpec { ConsistencyWeight = -1 } },
        { "consistencyWeight", new RunSpec { ConsistencyWeight = 101 } },
        { "consistencyWeight", new RunSpec { ConsistencyWeight = double.NaN } },
        { "latentClusters", new RunSpec { LatentClusters = 1 } },
        { "latentClusters", new RunSpec { LatentClusters = -1 } },
        { "latentClusters", new RunSpec { LatentClusters = 101, NoiseDim = 200 } },
        { "latentClusters", new RunSpec { LatentClusters = 10, NoiseDim = 8 } },
        { "latentClusterOffset", new RunSpec { LatentClusters = 10, LatentClusterOffset = 0.5 } },
        { "latentClusterOffset", new RunSpec { LatentClusterOffset = 21 } },
        { "latentClusterOffset", new RunSpec { LatentClusterOffset = double.NaN } },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public void BadValue_ProducesAnErrorUnderExactlyThatField(string field, RunSpec spec)
    {
        var errors = spec.Validate();

        Assert.Equal([field], errors.Keys);
        Assert.NotEmpty(errors[field]);
        Assert.All(errors[field], message => Assert.False(string.IsNullOrWhiteSpace(message)));
    }

    [Fact]
    public void SeveralBadValues_AreAllReported()
    {
        var errors = new RunSpec { Epochs = 0, BatchSize = 1, Seed = -5, Name = "" }.Validate();
        Assert.Equal(["batchSize", "epochs", "name", "seed"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CreateAsync_WithBadSpec_ThrowsRunSpecExceptionAndWritesNothing()
    {
        var ex = await Assert.ThrowsAsync<RunSpecException>(
            () => _repository.CreateAsync(new RunSpec { BatchSize = 1, NoiseDim = 0 }, cancellationToken: Ct));

        Assert.Contains("batchSize", ex.Errors.Keys);
        Assert.Contains("noiseDim", ex.Errors.Keys);
        Assert.Equal(2, ex.Errors.Count);
        Assert.Contains(ex.Errors["batchSize"][0], ex.Message, StringComparison.Ordinal);

        var written = new List<string>();
        await foreach (var info in _store.ListAsync(RunArtifactLayout.RunsPrefix, Ct))
        {
            written.Add(info.Path);
        }

        Assert.Empty(written);
    }

    [Fact]
    public async Task UpdateAsync_OnUnknownRun_ThrowsRunNotFoundException()
    {
        var id = Guid.NewGuid();
        var calls = 0;

        var ex = await Assert.ThrowsAsync<RunNotFoundException>(
            () => _repository.UpdateAsync(id, m => { calls++; return m; }, Ct));

        Assert.Equal(id, ex.RunId);
        Assert.Contains(id.ToString("D"), ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, calls);
        Assert.Null(await _repository.GetAsync(id, Ct));
    }

    [Fact]
    public async Task CreatedManifest_RoundTrips()
    {
        var spec = new RunSpec
        {
            Name = "round-trip",
            Tags = ["a", "b-2"],
            Notes = "notes here",
            Epochs = 3,
            BatchSize = 64,
            LearningRate = 2e-4,
            Beta1 = 0.5,
            Beta2 = 0.99,
            NoiseDim = 64,
            Seed = 1234567890123,
            TrainSubset = 1000,
            Step = StepKind.Alternating,
            CheckpointEvery = 2,
            MaxStepsPerEpoch = 5,
        };

        var created = await _repository.CreateAsync(spec, codeVersion: "abc123", cancellationToken: Ct);
        Assert.Equal(RunStatus.Queued, created.Status);
        Assert.NotEqual(Guid.Empty, created.RunId);
        Assert.True(await _store.ExistsAsync(RunArtifactLayout.Manifest(created.RunId), Ct));

        var loaded = await _repository.GetAsync(created.RunId, Ct);
        Assert.NotNull(loaded);
        Assert.Equal(created.RunId, loaded.RunId);
        Assert.Equal(RunStatus.Queued, loaded.Status);
        Assert.False(loaded.IsFinished);
        Assert.Equal("abc123", loaded.CodeVersion);
        Assert.Equal(created.CreatedAt, loaded.CreatedAt);
        Assert.Equal(3, loaded.Progress.TotalEpochs);
        Assert.Equal(0, loaded.Progress.Step);
        Assert.Null(loaded.StartedAt);

        // RunSpec.Tags is a list, so record equality compares it by reference: compare it by content instead.
        Assert.Equal(spec.Tags, loaded.Spec.Tags);
        Assert.Equal(spec with { Tags = loaded.Spec.Tags }, loaded.Spec);
        Assert.Empty(loaded.Spec.Validate());

        // The second run gets its own id and manifest.
        var second = await _repository.CreateAsync(new RunSpec(), cancellationToken: Ct);
        Assert.NotEqual(created.RunId, second.RunId);
        Assert.Equal(new RunSpec().Epochs, (await _repository.GetAsync(second.RunId, Ct))!.Spec.Epochs);
    }

    [Fact]
    public async Task UpdateAsync_AppliesTheChangeAndPersistsIt()
    {
        var run = await _repository.CreateAsync(new RunSpec(), cancellationToken: Ct);

        var updated = await _repository.UpdateAsync(run.RunId, m => m with { Status = RunStatus.Running, Progress = m.Progress with { Epoch = 2 } }, Ct);

        Assert.Equal(RunStatus.Running, updated.Status);
        var loaded = await _repository.GetAsync(run.RunId, Ct);
        Assert.Equal(RunStatus.Running, loaded!.Status);
        Assert.Equal(2, loaded.Progress.Epoch);
        Assert.Equal(run.Spec.Epochs, loaded.Progress.TotalEpochs);
    }

    [Fact]
    public async Task TheIndex_FollowsCreatesUpdatesAndDeletes_AndFiltersAndPages()
    {
        var a = await _repository.CreateAsync(new RunSpec { Name = "a", Tags = ["x"] }, cancellationToken: Ct);
        var b = await _repository.CreateAsync(new RunSpec { Name = "b", Tags = ["x", "y"] }, cancellationToken: Ct);
        var c = await _repository.CreateAsync(new RunSpec { Name = "c" }, cancellationToken: Ct);
        await _repository.UpdateAsync(b.RunId, m => m with { Status = RunStatus.Running }, Ct);

        var all = await _repository.ListAsync(new RunQuery(), Ct);
        Assert.Equal([c.RunId, b.RunId, a.RunId], all.Runs.Select(r => r.RunId)); // newest first
        Assert.Equal([b.RunId], (await _repository.ListAsync(new RunQuery { Status = RunStatus.Running }, Ct)).Runs.Select(r => r.RunId));
        Assert.Equal([b.RunId, a.RunId], (await _repository.ListAsync(new RunQuery { Tag = "x" }, Ct)).Runs.Select(r => r.RunId));
        var second = await _repository.ListAsync(new RunQuery { Page = 2, PageSize = 2 }, Ct);
        Assert.Equal([a.RunId], second.Runs.Select(r => r.RunId));
        Assert.Equal(3, second.Total);

        Assert.True(await _repository.DeleteAsync(a.RunId, Ct));
        Assert.False(await _repository.DeleteAsync(a.RunId, Ct));
        Assert.Null(await _repository.GetAsync(a.RunId, Ct));
        Assert.Equal([c.RunId, b.RunId], (await _repository.ListAsync(new RunQuery(), Ct)).Runs.Select(r => r.RunId));
    }

    [Fact]
    public async Task AMissingIndex_IsRebuiltFromTheManifests()
    {
        var a = await _repository.CreateAsync(new RunSpec { Name = "a" }, cancellationToken: Ct);
        await _repository.UpdateAsync(a.RunId, m => m with { Status = RunStatus.Succeeded }, Ct);
        Assert.True(await _store.DeleteAsync(RunArtifactLayout.RunIndex, Ct));

        var listed = Assert.Single((await _repository.ListAsync(new RunQuery(), Ct)).Runs);
        Assert.Equal((a.RunId, RunStatus.Succeeded), (listed.RunId, listed.Status));
        Assert.True(await _store.ExistsAsync(RunArtifactLayout.RunIndex, Ct));
    }

    [Fact]
    public async Task AForkNeedsAnExistingParentCheckpointAndKeepsTheFieldsThatFixItsNetworks()
    {
        var parent = await _repository.CreateAsync(new RunSpec(), cancellationToken: Ct);
        await _repository.UpdateAsync(parent.RunId, m => m with { LatestCheckpointEpoch = 3, CheckpointEpochs = [2] }, Ct);
        await _store.PutTextAsync(RunArtifactLayout.Checkpoint(parent.RunId, 2), "checkpoint 2", cancellationToken: Ct);
        await _store.PutTextAsync(RunArtifactLayout.Sample(parent.RunId, 1), "png 1", cancellationToken: Ct);
        await _store.PutTextAsync(RunArtifactLayout.Sample(parent.RunId, 3), "png 3", cancellationToken: Ct);
        await _store.PutTextAsync(RunArtifactLayout.Metrics(parent.RunId), "{\"kind\":\"epoch\",\"epoch\":1}\n{\"kind\":\"epoch\",\"epoch\":3}\n", cancellationToken: Ct);

        var fork = await _repository.CreateAsync(new RunSpec { Parent = new RunParent(parent.RunId, 2) }, cancellationToken: Ct);
        Assert.Equal((2, 2), (fork.LatestCheckpointEpoch, fork.Progress.Epoch));
        Assert.Equal("checkpoint 2", (await _store.GetTextAsync(RunArtifactLayout.LatestCheckpoint(fork.RunId), Ct))!.Value.Text);
        Assert.True(await _store.ExistsAsync(RunArtifactLayout.Sample(fork.RunId, 1), Ct));
        Assert.False(await _store.ExistsAsync(RunArtifactLayout.Sample(fork.RunId, 3), Ct));
        Assert.Equal("{\"kind\":\"epoch\",\"epoch\":1}\n", (await _store.GetTextAsync(RunArtifactLayout.Metrics(fork.RunId), Ct))!.Value.Text);

        var missing = await Assert.ThrowsAsync<RunSpecException>(() => _repository.CreateAsync(new RunSpec { Parent = new RunParent(parent.RunId, 1) }, cancellationToken: Ct));
        Assert.Contains("has no checkpoint of epoch 1; it has: 2, 3", missing.Errors["parent"][0], StringComparison.Ordinal);
        var noise = await Assert.ThrowsAsync<RunSpecException>(() => _repository.CreateAsync(new RunSpec { NoiseDim = 64, Parent = new RunParent(parent.RunId, 2) }, cancellationToken: Ct));
        Assert.Contains("its noise dimension must be the parent's (100), not 64", noise.Errors["noiseDim"][0], StringComparison.Ordinal);
        var clusters = await Assert.ThrowsAsync<RunSpecException>(() => _repository.CreateAsync(new RunSpec { LatentClusters = 10, Parent = new RunParent(parent.RunId, 2) }, cancellationToken: Ct));
        Assert.Contains("latent clusters must be the parent's (0), not 10", clusters.Errors["latentClusters"][0], StringComparison.Ordinal);
        var offset = await Assert.ThrowsAsync<RunSpecException>(() => _repository.CreateAsync(new RunSpec { LatentClusterOffset = 6, Parent = new RunParent(parent.RunId, 2) }, cancellationToken: Ct));
        Assert.Single(offset.Errors.Keys, "latentClusterOffset");
        var average = await Assert.ThrowsAsync<RunSpecException>(() => _repository.CreateAsync(new RunSpec { GeneratorEma = 0.999, Parent = new RunParent(parent.RunId, 2) }, cancellationToken: Ct));
        Assert.Single(average.Errors.Keys, "generatorEma");
        var unknown = await Assert.ThrowsAsync<RunSpecException>(() => _repository.CreateAsync(new RunSpec { Parent = new RunParent(Guid.NewGuid(), 2) }, cancellationToken: Ct));
        Assert.Contains("does not exist", unknown.Errors["parent"][0], StringComparison.Ordinal);
    }
}
