using System.Globalization;
using DigitGan.Shared.Runs;

namespace DigitGan.Web.Components.Runs;

/// <summary>A run spec as (field, text) rows, in form order: the run page's spec table and the compare page's diff.</summary>
public static class SpecFields
{
    public static IReadOnlyList<(string Field, string Value)> Of(RunSpec spec) =>
    [
        ("name", spec.Name),
        ("tags", string.Join(", ", spec.Tags)),
        ("notes", spec.Notes ?? ""),
        ("epochs", Text(spec.Epochs)),
        ("batchSize", Text(spec.BatchSize)),
        ("learningRate", Text(spec.LearningRate)),
        ("beta1", Text(spec.Beta1)),
        ("beta2", Text(spec.Beta2)),
        ("noiseDim", Text(spec.NoiseDim)),
        ("seed", Text(spec.Seed)),
        ("trainSubset", spec.TrainSubset is { } subset ? Text(subset) : "all 60,000"),
        ("step", spec.Step.ToString()),
        ("checkpointEvery", Text(spec.CheckpointEvery)),
        ("evaluateEvery", spec.EvaluateEvery == 0 ? "off" : Text(spec.EvaluateEvery)),
        ("evaluationSamples", Text(spec.EvaluationSamples)),
        ("maxStepsPerEpoch", spec.MaxStepsPerEpoch is { } steps ? Text(steps) : "whole epochs"),
        ("parent", spec.Parent is { } parent ? $"{parent.RunId} @ epoch {parent.Epoch}" : ""),
    ];

    /// <summary>The fields whose values are not all equal across the specs, with each spec's value.</summary>
    public static IReadOnlyList<(string Field, IReadOnlyList<string> Values)> Differences(IReadOnlyList<RunSpec> specs)
    {
        var rows = specs.Select(Of).ToList();
        if (rows.Count == 0)
        {
            return [];
        }

        return [.. rows[0].Select((field, i) => (field.Field, Values: (IReadOnlyList<string>)[.. rows.Select(r => r[i].Value)]))
            .Where(row => row.Values.Distinct(StringComparer.Ordinal).Count() > 1)];
    }

    private static string Text(double value) => value.ToString("G", CultureInfo.InvariantCulture);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
