using DigitGan.Jobs.Evaluation;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace DigitGan.Jobs.Tests.Evaluation;

public sealed class QualityMathTests
{
    [Fact]
    public void Fid_of_a_set_with_itself_is_zero_and_fid_is_symmetric()
    {
        var a = RandomStatistics(seed: 1, dim: 16, count: 400);
        var b = RandomStatistics(seed: 2, dim: 16, count: 300, shift: 0.5);

        Assert.Equal(0, QualityMath.FrechetDistance(a, a), 1e-9);
        var ab = QualityMath.FrechetDistance(a, b);
        Assert.True(ab > 1, $"distinct sets should be far apart, got {ab}");
        Assert.Equal(ab, QualityMath.FrechetDistance(b, a), 1e-9 * ab);
    }

    [Fact]
    public void Fid_matches_the_closed_form_for_covariances_with_shared_eigenvectors()
    {
        // S1 = Q diag(a) Q^T, S2 = Q diag(b) Q^T commute, so tr sqrt(S1 S2) = sum sqrt(a_i b_i) and
        // FID = |m1 - m2|^2 + sum (sqrt(a_i) - sqrt(b_i))^2.
        var random = new Random(7);
        const int dim = 12;
        var q = Matrix<double>.Build.Dense(dim, dim, (_, _) => random.NextDouble() - 0.5).QR().Q;
        var eigenA = Enumerable.Range(0, dim).Select(_ => 0.1 + (3 * random.NextDouble())).ToArray();
        var eigenB = Enumerable.Range(0, dim).Select(_ => 0.1 + (3 * random.NextDouble())).ToArray();
        var s1 = q * Matrix<double>.Build.DiagonalOfDiagonalArray(eigenA) * q.Transpose();
        var s2 = q * Matrix<double>.Build.DiagonalOfDiagonalArray(eigenB) * q.Transpose();
        var m1 = Enumerable.Range(0, dim).Select(_ => random.NextDouble()).ToArray();
        var m2 = Enumerable.Range(0, dim).Select(_ => random.NextDouble()).ToArray();

        var expected = m1.Zip(m2, (x, y) => (x - y) * (x - y)).Sum() + eigenA.Zip(eigenB, (x, y) => Math.Pow(Math.Sqrt(x) - Math.Sqrt(y), 2)).Sum();
        var actual = QualityMath.FrechetDistance(new FeatureStatistics(m1, s1.ToArray(), 100), new FeatureStatistics(m2, s2.ToArray(), 100));
        Assert.Equal(expected, actual, 1e-9);
    }

    [Fact]
    public void Fid_matches_the_closed_form_for_non_commuting_two_by_two_covariances()
    {
        // For 2x2 matrices with positive eigenvalues, tr sqrt(M) = sqrt(tr M + 2 sqrt(det M)), and det(S1 S2) = det S1 det S2.
        var s1 = Matrix<double>.Build.DenseOfArray(new[,] { { 2.0, 0.7 }, { 0.7, 1.0 } });
        var s2 = Matrix<double>.Build.DenseOfArray(new[,] { { 0.5, -0.2 }, { -0.2, 3.0 } });
        Assert.NotEqual(s1 * s2, s2 * s1);
        var traceSqrt = Math.Sqrt((s1 * s2).Trace() + (2 * Math.Sqrt(s1.Determinant() * s2.Determinant())));
        var expected = 1.0 + 4.0 + s1.Trace() + s2.Trace() - (2 * traceSqrt); // means differ by (1, 2)

        var actual = QualityMath.FrechetDistance(new FeatureStatistics([0, 0], s1.ToArray(), 10), new FeatureStatistics([1, 2], s2.ToArray(), 10));
        Assert.Equal(expected, actual, 1e-12);
    }

    [Fact]
    public void Feature_statistics_are_the_sample_mean_and_unbiased_covariance()
    {
        float[] rows = [1, 2, 3, 6, 5, 4];
        var statistics = FeatureStatistics.FromRows(rows, count: 3, dim: 2);
        Assert.Equal([3.0, 4.0], statistics.Mean);
        Assert.Equal(new[,] { { 4.0, 2.0 }, { 2.0, 4.0 } }, statistics.Covariance);
    }

    [Fact]
    public void Inception_score_is_10_for_confident_balanced_classes_and_1_for_one_class()
    {
        var balanced = OneHot(Enumerable.Range(0, 1000).Select(i => i % 10));
        Assert.Equal(10, QualityMath.InceptionScore(balanced, 10), 1e-9);

        var single = OneHot(Enumerable.Repeat(3, 1000));
        Assert.Equal(1, QualityMath.InceptionScore(single, 10), 1e-9);

        var uniform = Enumerable.Repeat(0.1f, 1000 * 10).ToArray();
        Assert.Equal(1, QualityMath.InceptionScore(uniform, 10), 1e-6);
    }

    [Fact]
    public void Coverage_counts_predicted_classes_at_five_percent_and_mean_confidence()
    {
        // 60% zeros, 35% ones, 5% twos (counts), 0% others.
        var labels = Enumerable.Repeat(0, 60).Concat(Enumerable.Repeat(1, 35)).Concat(Enumerable.Repeat(2, 5));
        var probabilities = OneHot(labels);
        var (histogram, covered, confidence) = QualityMath.Coverage(probabilities, 10);
        Assert.Equal([60, 35, 5, 0, 0, 0, 0, 0, 0, 0], histogram);
        Assert.Equal(3, covered);
        Assert.Equal(1, confidence, 1e-9);
    }

    private static float[] OneHot(IEnumerable<int> labels)
    {
        var list = labels.ToList();
        var result = new float[list.Count * 10];
        for (var i = 0; i < list.Count; i++)
        {
            result[(i * 10) + list[i]] = 1;
        }

        return result;
    }

    private static FeatureStatistics RandomStatistics(int seed, int dim, int count, double shift = 0)
    {
        var random = new Random(seed);
        var rows = new float[count * dim];
        for (var i = 0; i < rows.Length; i++)
        {
            // Correlated features: each mixes its own noise with the previous feature's.
            var noise = (float)(random.NextDouble() + random.NextDouble() - 1 + shift);
            rows[i] = i % dim == 0 ? noise : (0.6f * rows[i - 1]) + noise;
        }

        return FeatureStatistics.FromRows(rows, count, dim);
    }
}
