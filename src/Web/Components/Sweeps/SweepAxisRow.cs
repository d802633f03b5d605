using System.Globalization;
using System.Text.Json;
using DigitGan.Shared.Runs;
using DigitGan.Shared.Sweeps;

namespace DigitGan.Web.Components.Sweeps;

/// <summary>One axis row of the new-sweep form: a field, its kind, and its values as typed (comma-separated) or its range.</summary>
public sealed class SweepAxisRow
{
    public string Field { get; set; } = "learningRate";

    public SweepAxisKind Kind { get; set; } = SweepAxisKind.Grid;

    /// <summary>A grid's values, comma-separated: numbers, or the choice names of a choice field.</summary>
    public string ValuesText { get; set; } = "";

    public double? Min { get; set; }

    public double? Max { get; set; }

    /// <summary>The axis as the API takes it. A value that is not a number of a numeric field is sent as text, so the check names it.</summary>
    public SweepAxis ToAxis()
    {
        var field = RunSpecSchema.Find(Field);
        var numeric = field is not null && field.Kind != RunSpecFieldKind.Choice;
        return Kind == SweepAxisKind.Grid
            ? new SweepAxis
            {
                Field = Field,
                Kind = Kind,
                Values = [.. ValuesText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(text => numeric && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                        ? JsonSerializer.SerializeToElement(number)
                        : JsonSerializer.SerializeToElement(text))],
            }
            : new SweepAxis { Field = Field, Kind = Kind, Min = Min, Max = Max };
    }
}
