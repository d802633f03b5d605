using System.Text.Json;
using DigitGan.Jobs.Cli;
using DigitGan.Jobs.Evaluation;
using DigitGan.Jobs.Model;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Imaging;
using DigitGan.Shared.Runs;
using Xunit;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Tests.Evaluation;

/// <summary>A store with MNIST and the classifier that setup trained (from the setup cache), and an evaluator over it.</summary>
public sealed class ClassifierStoreFixture : IDisposable
{
    private readonly MnistStoreFixture mnist = new();

    public ClassifierStoreFixture()
    {
        if (!ClassifierFiles.ImportAsync(Store, DataPaths.ClassifierCache).GetAwaiter().GetResult())
        {
            throw new InvalidOperationException($"No classifier in {DataPaths.ClassifierCache}: run scripts/setup.sh first (scripts/test.sh does).");
        }

        Evaluator = QualityEvaluator.LoadAsync(Store, CPU).GetAwaiter().GetResult()!;
        Test = MnistDataset.LoadAsync(Store, train: false).GetAwaiter().GetResult();
        Train = MnistDataset.LoadAsync(Store, train: true).GetAwaiter().GetResult();
    }

    public FileArtifactStore Store => mnist.Store;
    public string Root => mnist.Root;
    public QualityEvaluator Evaluator { get; }
    public MnistSplit Test { get; }
    public MnistSplit Train { get; }

    public void Dispose()
    {
        Evaluator.Dispose();
        mnist.Dispose();
    }
}

public sealed class QualityEvaluatorTests(ClassifierStoreFixture fixture) : IClassFixture<ClassifierStoreFixture>
{
    [Fact]
    public async Task The_stored_classifier_reaches_99_2_percent_on_the_10000_test_digits()
    {
        var loaded = await ClassifierStore.LoadAsync(fixture.Store, CPU);
        using var model = loaded!.Value.Model;
        var accuracy = ClassifierTraining.Accuracy(model, fixture.Test, CPU);
        Assert.True(accuracy >= 0.992, $"test accuracy {accuracy:P2}");
        Assert.Equal(loaded.Value.Manifest.TestAccuracy, accuracy, 1e-12);
        Assert.Equal(ClassifierTraining.Recipe, loaded.Value.Manifest.Recipe); // trained with shifts, rotations and noise
    }

    [Fact]
    public void Augmentation_moves_rotates_and_adds_noise_but_keeps_the_scale_and_the_background()
    {
        using var images = ImageTensors.ToTensor(fixture.Train.Images, 256, CPU);
        using var random = new TorchSharp.torch.Generator(7);
        using var augmented = ClassifierTraining.Augment(images, random, CPU);
        Assert.Equal(images.shape, augmented.shape);
        Assert.True(augmented.min().item<float>() >= -1 && augmented.max().item<float>() <= 1);
        var changed = augmented.sub(images).abs().gt(0.05).to(ScalarType.Float32).mean().item<float>();
        Assert.True(changed > 0.1, $"only {changed:P1} of the pixels changed");

        // Border pixels stay background (-1) in the images without noise: rotation fills with -1, not grey.
        var border = augmented.narrow(2, 0, 1).median().item<float>();
        Assert.Equal(-1f, border, 2);
    }

    [Fact]
    public void Classifier_training_is_deterministic_for_a_seed()
    {
        var subset = new MnistSplit(
            new IdxImages("train[0:1024]", 1024, 28, 28, fixture.Train.Images.Pixels.AsSpan(0, 1024 * 784).ToArray()),
            fixture.Train.Labels[..1024]);
        using var first = ClassifierTraining.Train(subset, epochs: 1, seed: 3, CPU);
        using var second = ClassifierTraining.Train(subset, epochs: 1, seed: 3, CPU);
        using var other = ClassifierTraining.Train(subset, epochs: 1, seed: 4, CPU);
        Assert.Equal(ClassifierStore.Serialize(first), ClassifierStore.Serialize(second));
        Assert.NotEqual(ClassifierStore.Serialize(first), ClassifierStore.Serialize(other));
    }

    [Fact]
    public void The_stored_floor_is_the_mean_fid_of_disjoint_random_draws_of_10000_training_digits()
    {
        var manifest = fixture.Evaluator.Classifier;
        Assert.Equal(10_000, manifest.FidFloorSamples);
        var draws = QualityEvaluator.FloorDrawIndices(10_000, 60_000);
        Assert.Equal(QualityEvaluator.FloorDraws, manifest.FidFloorDraws);
        Assert.Equal(QualityEvaluator.FloorDraws, draws.Count);
        Assert.All(draws, draw => Assert.Equal(10_000, draw.Distinct().Count()));
        Assert.Equal(30_000, draws.SelectMany(d => d).Distinct().Count()); // disjoint
        Assert.All(draws, draw => Assert.True(draw.Count(i => i < 10_000) < 2_500, "a draw is not the first training digits")); // ~1/6 expected
        Assert.Equal(draws, QualityEvaluator.FloorDrawIndices(10_000, 60_000)); // the same draws every time

        using var train = ImageTensors.ToTensor(fixture.Train.Images, 60_000, CPU);
        var fids = draws.Select(draw =>
        {
            using var index = tensor(draw);
            using var chosen = train.index_select(0, index);
            return QualityMath.FrechetDistance(fixture.Evaluator.StatisticsOf(chosen), fixture.Evaluator.Reference);
        }).ToList();
        Assert.Equal(manifest.FidFloor, fids.Average(), 1e-6 * Math.Max(1, fids.Average()));
        Assert.True(fids.All(f => f > 0));
    }

    [Fact]
    public void Real_test_digits_score_as_real_digits()
    {
        using var test = ImageTensors.ToTensor(fixture.Test.Images, fixture.Test.Images.Count, CPU);
        var metrics = fixture.Evaluator.Score(test);
        Assert.Equal(0, metrics.Fid, 1e-6);
        Assert.True(metrics.InceptionScore > 9.5, $"IS {metrics.InceptionScore}");
        Assert.Equal(10, metrics.ClassesAtLeast5Percent);
        Assert.True(metrics.Confidence > 0.97, $"confidence {metrics.Confidence}");
        Assert.Equal(10_000, metrics.ClassHistogram.Sum());
    }

    [Fact]
    public void Fid_is_near_the_floor_for_real_digits_and_far_above_it_for_wrong_geometry_or_scaling()
    {
        // Digits 20,000-21,999: real digits, a sample independent of the floor's random draws.
        var subset = new IdxImages("train[20000:22000]", 2000, 28, 28, fixture.Train.Images.Pixels.AsSpan(20_000 * 784, 2000 * 784).ToArray());
        using var real = ImageTensors.ToTensor(subset, 2000, CPU);
        var floor = fixture.Evaluator.FidFloor(2000);
        var fid = fixture.Evaluator.Score(real).Fid;
        Assert.True(fid < 2 * floor, $"real digits: FID {fid} vs floor {floor}");

        using var shifted = real.roll([2, 2], [2, 3]);
        using var inverted = real.neg();
        using var unitRange = real.add(1).div(2); // a [0, 1] vs [-1, 1] mix-up
        foreach (var (name, images) in new[] { ("shifted by 2 px", shifted), ("inverted", inverted), ("scaled to [0, 1]", unitRange) })
        {
            var wrong = fixture.Evaluator.Score(images).Fid;
            Assert.True(wrong > 10 * floor, $"{name}: FID {wrong} vs floor {floor}");
        }
    }

    [Fact]
    public async Task Evaluate_scores_a_png_folder_exactly_as_the_same_digits_in_memory()
    {
        var folder = Path.Combine(fixture.Root, "pngs");
        Directory.CreateDirectory(folder);
        const int count = 300;
        for (var i = 0; i < count; i++)
        {
            var image = new GrayImage(28, 28, fixture.Test.Images.Pixels.AsSpan(i * 784, 784).ToArray());
            await File.WriteAllBytesAsync(Path.Combine(folder, $"digit-{i:D4}.png"), PngEncoder.Encode(image));
        }

        var json = Path.Combine(fixture.Root, "pngs.json");
        var (code, error) = await CliRunner.RunAsync(["evaluate", folder, "--store", fixture.Store.Root, "--out", json]);
        Assert.True(code == 0, error);
        var report = JsonSerializer.Deserialize<EvaluationReport>(await File.ReadAllBytesAsync(json), ArtifactJson.Options)!;

        using var images = ImageTensors.ToTensor(fixture.Test.Images, count, CPU);
        var expected = fixture.Evaluator.Score(images);
        Assert.Equal("png-folder", report.SourceKind);
        Assert.Equal(count, report.Metrics.Samples);
        Assert.Equal(expected.Fid, report.Metrics.Fid, 1e-9);
        Assert.Equal(expected.InceptionScore, report.Metrics.InceptionScore, 1e-9);
        Assert.Equal(fixture.Evaluator.Classifier.Sha256, report.ClassifierSha256);

        await File.WriteAllBytesAsync(Path.Combine(folder, "grid.png"), PngEncoder.Encode(new GrayImage(30, 30)));
        (code, error) = await CliRunner.RunAsync(["evaluate", folder, "--store", fixture.Store.Root, "--out", json]);
        Assert.Equal(DigitGanCli.Failure, code);
        Assert.Contains("grid.png is 30x30", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupt_classifier_is_refused_with_a_clear_message()
    {
        using var temp = new TempStore();
        var stored = (await ClassifierFiles.ReadAsync(fixture.Store))!.Value;
        await ClassifierFiles.SaveAsync(temp.Store, stored.Weights, stored.Manifest);
        Assert.NotNull(await ClassifierFiles.ReadAsync(temp.Store));

        var damaged = (byte[])stored.Weights.Clone();
        damaged[damaged.Length / 2] ^= 1;
        await temp.Store.PutBytesAsync(RunArtifactLayout.ClassifierWeights, damaged);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ClassifierStore.LoadAsync(temp.Store, CPU));
        Assert.Contains("corrupt", error.Message, StringComparison.Ordinal);
        Assert.Contains("setup.sh", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_is_scored_at_its_evaluation_interval_and_flags_mode_collapse()
    {
        var runs = new RunRepository(fixture.Store);
        var spec = new RunSpec { Epochs = 3, BatchSize = 64, TrainSubset = 320, Seed = 5, EvaluateEvery = 2, EvaluationSamples = 200 };
        var created = await runs.CreateAsync(spec);
        var observer = new RecordingObserver();
        var manifest = await new TrainingRunner(runs, observer).RunAsync(created.RunId, CPU, get_num_threads());

        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        Assert.Null(manifest.QualityMetricsOff);
        var text = (await fixture.Store.GetTextAsync(RunArtifactLayout.Metrics(created.RunId)))!.Value.Text;
        var records = MetricsLines.Split(text).Select(l => MetricsLines.Parse(l)!).ToList();
        var evaluations = records.OfType<EvaluationMetrics>().ToList();
        Assert.Equal([2, 3], evaluations.Select(e => e.Epoch)); // every 2nd epoch, and the last
        Assert.All(evaluations, e =>
        {
            Assert.Equal(200, e.Samples);
            Assert.Equal(200, e.ClassHistogram.Sum());
            Assert.True(e.Fid > e.FidFloor && e.Seconds > 0 && e.InceptionScore >= 1);
        });
        Assert.Equivalent(evaluations[^1], manifest.LatestEvaluation, strict: true);
        Assert.Equal(evaluations.Sum(e => e.Seconds), manifest.EvaluationSeconds, 1e-9);
        Assert.Equivalent(evaluations, observer.Evaluations, strict: true);

        // Three epochs on 320 digits draw blobs of one or two classes: mode collapse fires at each evaluation.
        Assert.All(evaluations, e => Assert.True(e.ClassesAtLeast5Percent < RunHealthMonitor.MinClasses));
        Assert.Equal([2, 3], manifest.HealthFlags.Where(f => f.Kind == HealthFlagKind.ModeCollapse).Select(f => f.Epoch));
        Assert.Equal(manifest.HealthFlags, records.OfType<HealthRecord>().Select(r => r.Flag));
    }

    private sealed class TempStore : IDisposable
    {
        private readonly string root = Directory.CreateTempSubdirectory("digitgan-test-").FullName;

        public TempStore() => Store = new FileArtifactStore(root);

        public FileArtifactStore Store { get; }

        public void Dispose() => Directory.Delete(root, recursive: true);
    }
}
