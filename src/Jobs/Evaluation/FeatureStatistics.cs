using MathNet.Numerics.LinearAlgebra;

namespace DigitGan.Jobs.Evaluation;

/// <summary>Mean and covariance of a set of feature vectors (float64), the Gaussian FID compares.</summary>
public sealed record FeatureStatistics(double[] Mean, double[,] Covariance, int Count)
{
    /// <summary>Sample mean and unbiased covariance of the rows of <paramref name="features"/> ([count x dim], row-major).</summary>
    public static FeatureStatistics FromRows(ReadOnlySpan<float> features, int count, int dim)
    {
        if (count < 2 || features.Length != count * dim)
        {
            throw new ArgumentException($"Need at least 2 feature rows of {dim} values (got {features.Length} values for {count} rows).");
        }

        var data = Matrix<double>.Build.Dense(count, dim);
        for (var i = 0; i < count; i++)
        {
            for (var j = 0; j < dim; j++)
            {
                data[i, j] = features[(i * dim) + j];
            }
        }

        var mean = data.ColumnSums() / count;
        for (var i = 0; i < count; i++)
        {
            data.SetRow(i, data.Row(i) - mean);
        }

        var covariance = data.TransposeThisAndMultiply(data) / (count - 1);
        return new FeatureStatistics(mean.ToArray(), covariance.ToArray(), count);
    }
}
