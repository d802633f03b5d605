using System.Diagnostics;
using DigitGan.Jobs.Model;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using DigitGan.Shared.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitGan.Jobs.Evaluation;

/// <summary>
/// Scores digits with the stored classifier: classifier-FID against the 10,000 real test digits (next to the
/// real-vs-real floor at the same sample count), Inception Score and class coverage. Input images are
/// [N, 1, 28, 28] in [-1, 1], the scale the GAN trains on and generates.
/// </summary>
public sealed class QualityEvaluator : IDisposable
{
    public const int Batch = 500;
    public const int Classes = 10;

    private readonly DigitClassifier classifier;
    private readonly Device device;
    private readonly IdxImages trainImages;
    private readonly Dictionary<int, double> floors = [];

    private QualityEvaluator(DigitClassifier classifier, ClassifierManifest manifest, FeatureStatistics reference, IdxImages trainImages, Device device)
    {
        this.classifier = classifier;
        this.device = device;
        this.trainImages = trainImages;
        Classifier = manifest;
        Reference = reference;
        if (manifest.FidFloorDraws > 0)
        {
            // Older classifiers' floors came from the first training digits; those are computed again.
            floors[manifest.FidFloorSamples] = manifest.FidFloor;
        }
    }

    public ClassifierManifest Classifier { get; }

    /// <summary>Where the classifier runs and the digits are scored.</summary>
    public Device Device => device;

    /// <summary>Feature statistics of the 10,000 real test digits.</summary>
    public FeatureStatistics Reference { get; }

    /// <summary>Loads the classifier and the real test digits' features from the store; null when the store has no classifier.</summary>
    public static async Task<QualityEvaluator?> LoadAsync(IArtifactStore store, Device device, CancellationToken cancellationToken = default, string? datasetCache = null)
    {
        if (await ClassifierStore.LoadAsync(store, device, cancellationToken).ConfigureAwait(false) is not { } loaded)
        {
            return null;
        }

        var test = await MnistDataset.LoadAsync(store, train: false, cancellationToken, datasetCache).ConfigureAwait(false);
        var train = await MnistDataset.LoadAsync(store, train: true, cancellationToken, datasetCache).ConfigureAwait(false);
        return Create(loaded.Model, loaded.Manifest, test, train.Images, device);
    }

    /// <summary>An evaluator over a classifier in memory (training it computes the floor with this).</summary>
    public static QualityEvaluator Create(DigitClassifier classifier, ClassifierManifest manifest, MnistSplit test, IdxImages trainImages, Device device)
    {
        using var testImages = ImageTensors.ToTensor(test.Images, test.Images.Count, device);
        var reference = Statistics(classifier, testImages, device, out _);
        return new QualityEvaluator(classifier, manifest, reference, trainImages, device);
    }

    /// <summary>Disjoint random draws the floor averages over (fewer when the training set cannot hold that many).</summary>
    public const int FloorDraws = 3;

    private const ulong FloorSeed = 20_260_117;

    /// <summary>
    /// The real-vs-real floor at a sample count: the mean FID of <see cref="FloorDraws"/> disjoint random draws of
    /// that many training digits against the test digits, the best a generator can do at that count. Random draws,
    /// because the first training digits are not a typical sample (they score noticeably apart from random ones).
    /// </summary>
    public double FidFloor(int samples)
    {
        if (!floors.TryGetValue(samples, out var floor))
        {
            var fids = new List<double>();
            using var real = ImageTensors.ToTensor(trainImages, trainImages.Count, device);
            foreach (var draw in FloorDrawIndices(samples, trainImages.Count))
            {
                using var index = tensor(draw).to(device);
                using var chosen = real.index_select(0, index);
                fids.Add(QualityMath.FrechetDistance(Statistics(classifier, chosen, device, out _), Reference));
            }

            floors[samples] = floor = fids.Average();
        }

        return floor;
    }

    /// <summary>The training-digit indices of each floor draw: disjoint, drawn from a fixed seed (the same floor every time).</summary>
    public static IReadOnlyList<long[]> FloorDrawIndices(int samples, int available)
    {
        var size = Math.Min(samples, available);
        var draws = Math.Max(1, Math.Min(FloorDraws, available / Math.Max(1, size)));
        using var generator = new torch.Generator(FloorSeed);
        using var order = randperm(available, generator: generator);
        var indices = order.data<long>().ToArray();
        return [.. Enumerable.Range(0, draws).Select(d => indices.AsSpan(d * size, size).ToArray())];
    }

    /// <summary>Classifier-feature statistics of a set of digits ([N, 1, 28, 28] in [-1, 1]).</summary>
    public FeatureStatistics StatisticsOf(Tensor images) => Statistics(classifier, images, device, out _);

    /// <summary>Scores a set of digits; the time it takes is recorded as the evaluation's.</summary>
    public EvaluationMetrics Score(Tensor images, int epoch = 0)
    {
        var clock = Stopwatch.StartNew();
        var statistics = Statistics(classifier, images, device, out var probabilities);
        var (histogram, covered, confidence) = QualityMath.Coverage(probabilities, Classes);
        var count = (int)images.shape[0];
        return new EvaluationMetrics
        {
            Epoch = epoch,
            Samples = count,
            Fid = QualityMath.FrechetDistance(statistics, Reference),
            FidFloor = FidFloor(count),
            InceptionScore = QualityMath.InceptionScore(probabilities, Classes),
            ClassHistogram = histogram,
            ClassesAtLeast5Percent = covered,
            Confidence = confidence,
            Seconds = clock.Elapsed.TotalSeconds,
            Classifier = Classifier.Sha256.Length >= 12 ? Classifier.Sha256[..12] : Classifier.Sha256,
        };
    }

    /// <summary>
    /// Generates a digit for each noise vector (generator in inference mode) and scores them; with a ranking, scores
    /// the <paramref name="samples"/> of them the discriminator ranks highest (the noise then holds
    /// <see cref="SampleRanking.Candidates(long, double)"/> vectors).
    /// </summary>
    public EvaluationMetrics ScoreGenerator(DcganGenerator generator, Tensor noise, int epoch, CancellationToken cancellationToken = default, SampleRanking? ranking = null, int? samples = null)
    {
        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var images = Generate(generator, noise, cancellationToken);
        if (ranking is not null)
        {
            images = ranking.Select(images, samples ?? images.shape[0]);
        }

        var metrics = Score(images, epoch);
        return metrics with { Seconds = clock.Elapsed.TotalSeconds };
    }

    /// <summary>
    /// What each cluster of a clustered latent prior draws: generates a digit for each noise vector (in batches of the
    /// prior's mixture, as <see cref="ScoreGenerator"/> does, so batch statistics are the mixture's) and scores the
    /// digits of each cluster apart. Every digit drawn counts (no ranking).
    /// </summary>
    /// <param name="cluster">Each noise vector's cluster, 0 to <paramref name="clusters"/> - 1 (<see cref="LatentNoise.DrawLabelled"/>).</param>
    public IReadOnlyList<ClusterMetrics> ScoreClusters(DcganGenerator generator, Tensor noise, Tensor cluster, int clusters, CancellationToken cancellationToken = default)
    {
        using var scope = NewDisposeScope();
        var images = Generate(generator, noise, cancellationToken);
        Statistics(classifier, images, device, out var probabilities);
        var labels = cluster.cpu().data<long>().ToArray();
        var byCluster = Enumerable.Range(0, clusters).Select(_ => new List<float>()).ToArray();
        for (var i = 0; i < labels.Length; i++)
        {
            byCluster[labels[i]].AddRange(probabilities.AsSpan(i * Classes, Classes));
        }

        var result = new List<ClusterMetrics>(clusters);
        for (var c = 0; c < clusters; c++)
        {
            var rows = byCluster[c];
            var count = rows.Count / Classes;
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rows);
            var (histogram, _, confidence) = count == 0 ? (new int[Classes], 0, 0.0) : QualityMath.Coverage(span, Classes);
            var top = Array.IndexOf(histogram, histogram.Max());
            result.Add(new ClusterMetrics
            {
                Cluster = c,
                Samples = count,
                ClassHistogram = histogram,
                TopClass = top,
                TopClassShare = count == 0 ? 0 : (double)histogram[top] / count,
                Confidence = confidence,
                InceptionScore = count == 0 ? 0 : QualityMath.InceptionScore(span, Classes),
            });
        }

        return result;
    }

    /// <summary>Digits for the noise, the generator in inference mode, in batches of <see cref="Batch"/> ([N, 1, 28, 28], in the caller's dispose scope).</summary>
    private Tensor Generate(DcganGenerator generator, Tensor noise, CancellationToken cancellationToken)
    {
        using var noGrad = no_grad();
        var wasTraining = generator.training;
        generator.eval();
        try
        {
            var parts = new List<Tensor>();
            var total = noise.shape[0];
            for (long start = 0, size; start < total; start += size)
            {
                cancellationToken.ThrowIfCancellationRequested();

                // With batch statistics, a short last batch joins the one before, so no digits are drawn from the statistics of a few.
                size = Math.Min(Batch, total - start);
                if (generator.Sampling == SamplingMode.Batch && total - start - size is > 0 and < DcganGenerator.MinSamplingBatch)
                {
                    size = total - start;
                }

                parts.Add(generator.forward(noise.narrow(0, start, size).to(device)));
            }

            return cat(parts);
        }
        finally
        {
            generator.train(wasTraining);
        }
    }

    /// <summary>
    /// The run's fixed evaluation noise: its own stream of the run's seed, the same vectors every evaluation; with
    /// discriminator ranking, enough vectors to keep <see cref="RunSpec.EvaluationSamples"/> of them.
    /// </summary>
    public static Tensor EvaluationNoise(RunSpec spec)
    {
        var (noise, cluster) = EvaluationNoiseLabelled(spec);
        cluster?.Dispose();
        return noise;
    }

    /// <summary><see cref="EvaluationNoise"/> with each vector's cluster (null without a clustered prior).</summary>
    public static (Tensor Noise, Tensor? Cluster) EvaluationNoiseLabelled(RunSpec spec)
    {
        using var generator = new torch.Generator(RunSeeds.Derive(spec.Seed, RunSeeds.EvaluationNoise));
        return LatentNoise.DrawLabelled(spec.NoiseDim, LatentPrior.Of(spec), SampleRanking.Candidates(spec.EvaluationSamples, spec), generator);
    }

    private static FeatureStatistics Statistics(DigitClassifier classifier, Tensor images, Device device, out float[] probabilities)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        classifier.eval();
        var features = new List<Tensor>();
        var probs = new List<Tensor>();
        for (long start = 0; start < images.shape[0]; start += Batch)
        {
            var f = classifier.Features(images.narrow(0, start, Math.Min(Batch, images.shape[0] - start)).to(device));
            features.Add(f);
            probs.Add(nn.functional.softmax(classifier.Logits(f), 1));
        }

        probabilities = cat(probs).cpu().data<float>().ToArray();
        var all = cat(features).cpu();
        return FeatureStatistics.FromRows(all.data<float>().ToArray(), (int)all.shape[0], DigitClassifier.FeatureDim);
    }

    public void Dispose() => classifier.Dispose();
}

/// <summary>What one cluster of a clustered latent prior draws, as the classifier reads it.</summary>
public sealed record ClusterMetrics
{
    /// <summary>The cluster: the noise axis its centre lies on (0 to latentClusters - 1).</summary>
    public int Cluster { get; init; }

    /// <summary>Digits drawn from this cluster.</summary>
    public int Samples { get; init; }

    /// <summary>How many of them the classifier assigns to each digit 0-9.</summary>
    public IReadOnlyList<int> ClassHistogram { get; init; } = [];

    /// <summary>The digit the classifier assigns most of them to.</summary>
    public int TopClass { get; init; }

    /// <summary>The share of the cluster's digits assigned to <see cref="TopClass"/>: 1 when the cluster draws one digit only.</summary>
    public double TopClassShare { get; init; }

    /// <summary>Mean of the classifier's highest class probability.</summary>
    public double Confidence { get; init; }

    /// <summary>The Inception Score of the cluster's digits alone: near 1 when the cluster draws one digit.</summary>
    public double InceptionScore { get; init; }
}
