using System.Globalization;
using System.Text;

namespace DigitGan.Shared.Runs;

/// <summary>
/// The runs table's columns for a set of listed runs: the summary metrics, then a column for each spec field whose
/// value differs between them (a field all share says nothing about the list). The page and the CSV export use it.
/// </summary>
public static class RunTable
{
    /// <summary>Spec fields the table never shows as columns: the name is the row, tags are chips, notes are long.</summary>
    private static readonly string[] NotColumns = ["name", "tags", "notes"];

    public static IReadOnlyList<RunTableColumn> MetricColumns { get; } =
    [
        new("finalFid", "Final FID", r => Number(r.LatestFid, "0.0"), r => r.LatestFid),
        new("bestFid", "Best FID", r => Number(r.BestFid, "0.0"), r => r.BestFid),
        new("is", "IS", r => Number(r.LatestInceptionScore, "0.00"), r => r.LatestInceptionScore),
        new("classes", "Classes", r => r.LatestClasses?.ToString(CultureInfo.InvariantCulture) ?? "", r => r.LatestClasses),
        new("minutes", "Minutes", r => Number(r.TrainingSeconds / 60, "0.0"), r => r.TrainingSeconds),
        new("imagesPerSecond", "Images/s", r => r.ImagesPerSecond > 0 ? Number(r.ImagesPerSecond, "0") : "", r => r.ImagesPerSecond),
    ];

    /// <summary>A column for each spec field whose value is not the same in every run listed.</summary>
    public static IReadOnlyList<RunTableColumn> DifferingSpecColumns(IReadOnlyList<RunSummary> runs)
        => [.. RunSpecSchema.Fields
            .Where(field => !NotColumns.Contains(field.Name))
            .Where(field => runs.Select(r => r.Spec is { } spec ? field.Display(spec) : "").Distinct(StringComparer.Ordinal).Skip(1).Any())
            .Select(Column)];

    /// <summary>The column for a spec field named <paramref name="name"/> (its JSON name, any case), or null when no field has that name or it never is a column.</summary>
    public static RunTableColumn? SpecColumn(string name)
        => RunSpecSchema.Fields.FirstOrDefault(field => !NotColumns.Contains(field.Name) && string.Equals(field.Name, name, StringComparison.OrdinalIgnoreCase)) is { } found
            ? Column(found)
            : null;

    private static RunTableColumn Column(RunSpecField field)
        => new(field.Name, field.Label, r => r.Spec is { } spec ? field.Display(spec) : "", r => SortValue(field, r));

    /// <summary>The rows as CSV (RFC 4180, invariant culture): identity and status, the metric columns, then the differing spec fields.</summary>
    public static string ToCsv(IReadOnlyList<RunSummary> runs)
    {
        List<RunTableColumn> columns =
        [
            new("runId", "Run", r => r.RunId.ToString(), r => r.RunId),
            new("name", "Name", r => r.Name, r => r.Name),
            new("tags", "Tags", r => string.Join(' ', r.Tags), r => null),
            new("status", "Status", r => r.Status.ToString(), r => r.Status.ToString()),
            new("epoch", "Epoch", r => r.Epoch.ToString(CultureInfo.InvariantCulture), r => r.Epoch),
            new("totalEpochs", "Epochs", r => r.TotalEpochs.ToString(CultureInfo.InvariantCulture), r => r.TotalEpochs),
            .. MetricColumns,
            .. DifferingSpecColumns(runs),
            new("createdAt", "Created", r => r.CreatedAt.ToString("O", CultureInfo.InvariantCulture), r => r.CreatedAt),
            new("finishedAt", "Finished", r => r.FinishedAt?.ToString("O", CultureInfo.InvariantCulture) ?? "", r => r.FinishedAt),
        ];
        var csv = new StringBuilder();
        csv.AppendJoin(',', columns.Select(c => Quote(c.Key))).Append("\r\n");
        foreach (var run in runs)
        {
            csv.AppendJoin(',', columns.Select(c => Quote(c.Text(run)))).Append("\r\n");
        }

        return csv.ToString();
    }

    private static IComparable? SortValue(RunSpecField field, RunSummary run) => run.Spec is not { } spec ? null : field switch
    {
        RunSpecField<int> number => number.Get(spec),
        RunSpecField<int?> optional => optional.Get(spec),
        RunSpecField<long> number => number.Get(spec),
        RunSpecField<double> number => number.Get(spec),
        _ => field.Display(spec),
    };

    private static string Number(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "";

    // Fields with a comma, quote or line break are quoted, quotes doubled; text starting with =, + or @ gets a ' so spreadsheets do not run it as a formula.
    private static string Quote(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '@' && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
