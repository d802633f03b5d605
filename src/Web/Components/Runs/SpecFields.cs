using DigitGan.Shared.Runs;

namespace DigitGan.Web.Components.Runs;

/// <summary>A run spec as (field, text) rows in <see cref="RunSpecSchema"/> order: the run page's spec table and the compare page's diff.</summary>
public static class SpecFields
{
    public static IReadOnlyList<(string Field, string Value)> Of(RunSpec spec) => [.. RunSpecSchema.Fields.Select(field => (field.Name, field.Display(spec)))];

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
}
