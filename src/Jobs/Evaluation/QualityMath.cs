using MathNet.Numerics.LinearAlgebra;

namespace DigitGan.Jobs.Evaluation;

/// <summary>The quality metrics' arithmetic: Fréchet distance, Inception Score and class coverage.</summary>
public static class QualityMath
{
    /// <summary>A class "counts" for coverage when it holds at least this share of the samples.</summary>
    public const double CoverageShare = 0.05;

    /// <summary>
    /// Fréchet distance between two Gaussians: |m1 - m2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^1/2). The trace term is
    /// computed as tr((S1^1/2 S2 S1^1/2)^1/2), whose argument is symmetric positive semi-definite, so both square
    /// roots come from symmetric eigendecompositions (eigenvalues clamped at 0 against rounding), with no complex
    /// arithmetic and no iterative square root that can fail to converge.
    /// </summary>
    public static double FrechetDistance(FeatureStatistics a, FeatureStatistics b)
    {
        if (a.Mean.Length != b.Mean.Length)
        {
            throw new ArgumentException($"Feature dimensions differ ({a.Mean.Length} vs {b.Mean.Length}).");
        }

        var m = Vector<double>.Build;
        var diff = m.DenseOfArray(a.Mean) - m.DenseOfArray(b.Mean);
        var s1 = Matrix<double>.Build.DenseOfArray(a.Covariance);
        var s2 = Matrix<double>.Build.DenseOfArray(b.Covariance);
        var root1 = SymmetricSqrt(s1);
        var inner = root1 * s2 * root1;
        var traceSqrt = SymmetricEigenvalues(inner).Sum(Math.Sqrt);
        var distance = diff.DotProduct(diff) + s1.Trace() + s2.Trace() - (2 * traceSqrt);
        return Math.Max(distance, 0);
    }

    /// <summary>The symmetric PSD square root V diag(sqrt(max(l, 0))) V^T.</summary>
    public static Matrix<double> SymmetricSqrt(Matrix<double> symmetric)
    {
        var evd = Symmetrize(symmetric).Evd(Symmetricity.Symmetric);
        var roots = evd.EigenValues.Map(l => Math.Sqrt(Math.Max(l.Real, 0)));
        return evd.EigenVectors * Matrix<double>.Build.DiagonalOfDiagonalVector(roots) * evd.EigenVectors.Transpose();
    }

    private static IEnumerable<double> SymmetricEigenvalues(Matrix<double> symmetric) =>
        Symmetrize(symmetric).Evd(Symmetricity.Symmetric).EigenValues.Select(l => Math.Max(l.Real, 0));

    private static Matrix<double> Symmetrize(Matrix<double> matrix) => (matrix + matrix.Transpose()) / 2;

    /// <summary>exp(mean over samples of KL(p(y|x) || p(y))), p(y) the mean prediction; rows of <paramref name="probabilities"/> are p(y|x).</summary>
    public static double InceptionScore(ReadOnlySpan<float> probabilities, int classes)
    {
        var count = CheckRows(probabilities, classes);
        var marginal = new double[classes];
        for (var i = 0; i < count; i++)
        {
            for (var c = 0; c < classes; c++)
            {
                marginal[c] += probabilities[(i * classes) + c];
            }
        }

        for (var c = 0; c < classes; c++)
        {
            marginal[c] /= count;
        }

        double klSum = 0;
        for (var i = 0; i < count; i++)
        {
            for (var c = 0; c < classes; c++)
            {
                double p = probabilities[(i * classes) + c];
                if (p > 0)
                {
                    klSum += p * (Math.Log(p) - Math.Log(marginal[c]));
                }
            }
        }

        return Math.Exp(klSum / count);
    }

    /// <summary>Predicted-class histogram, classes holding at least 5%, and the mean highest probability.</summary>
    public static (int[] Histogram, int ClassesAtLeast5Percent, double Confidence) Coverage(ReadOnlySpan<float> probabilities, int classes)
    {
        var count = CheckRows(probabilities, classes);
        var histogram = new int[classes];
        double confidence = 0;
        for (var i = 0; i < count; i++)
        {
            var row = probabilities.Slice(i * classes, classes);
            var best = 0;
            for (var c = 1; c < classes; c++)
            {
                if (row[c] > row[best])
                {
                    best = c;
                }
            }

            histogram[best]++;
            confidence += row[best];
        }

        return (histogram, histogram.Count(h => h >= CoverageShare * count), confidence / count);
    }

    private static int CheckRows(ReadOnlySpan<float> probabilities, int classes)
    {
        if (classes < 1 || probabilities.Length == 0 || probabilities.Length % classes != 0)
        {
            throw new ArgumentException($"Expected rows of {classes} class probabilities (got {probabilities.Length} values).");
        }

        return probabilities.Length / classes;
    }
}
