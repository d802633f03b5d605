using System.CommandLine;
using System.Text;
using DigitGan.Shared.Runs;

namespace DigitGan.Jobs.Cli;

/// <summary>
/// `run-spec-docs` (hidden, for maintainers): writes docs/run-spec.md, the table of the run-spec fields, from
/// <see cref="RunSpecSchema"/> and the CLI's own options; a test fails when the committed file differs.
/// </summary>
public static class RunSpecDocsCommand
{
    public const string RegenerateCommand = "dotnet run --project src/Jobs -- run-spec-docs --out docs/run-spec.md";

    public static Command Create()
    {
        var output = new Option<string?>("--out") { Description = "File to write (default: standard output)." };
        var command = new Command("run-spec-docs", "Write the run-spec fields table (docs/run-spec.md).") { output };
        command.Hidden = true;
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file, Markdown(), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                Console.Write(Markdown());
            }
        });
        return command;
    }

    /// <summary>The presets' values of every field in which one of them differs from the defaults (docs/presets.md explains them).</summary>
    private static void AppendPresets(StringBuilder text, RunSpec defaults)
    {
        var presets = RunPresets.Names.Where(name => name != RunPresets.Faithful).Select(name => (Name: name, Spec: RunPresets.Get(name))).ToList();
        text.Append("\n## Presets\n\n");
        text.Append("`--preset NAME` on the CLI, `\"preset\": \"NAME\"` in the API's body and the buttons above the New run form start from\n");
        text.Append("a preset's spec; the fields given as well change it. `faithful` is the defaults. The presets differ from the\n");
        text.Append("defaults in these fields (why, and what they reach: docs/presets.md):\n\n");
        text.Append($"| form label | default (faithful) | {string.Join(" | ", presets.Select(p => p.Name))} |\n");
        text.Append($"| --- | --- |{string.Concat(presets.Select(_ => " --- |"))}\n");
        foreach (var field in RunSpecSchema.Fields.Where(f => f.Kind != RunSpecFieldKind.Preset && presets.Any(p => f.Display(p.Spec) != f.Display(defaults))))
        {
            text.Append(Row([field.Label, Cell(field.Display(defaults)), .. presets.Select(p => Cell(field.Display(p.Spec)))]));
        }
    }

    private static string Cell(string value) => value.Length == 0 ? "none" : value;

    private static string Row(IEnumerable<string> cells) => $"| {string.Join(" | ", cells.Select(cell => cell.Replace("|", "\\|", StringComparison.Ordinal)))} |\n";

    public static string Markdown()
    {
        var defaults = new RunSpec();
        var options = new RunSpecOptions();
        var text = new StringBuilder();
        text.Append("# Run spec fields\n\n");
        text.Append($"<!-- Generated from src/Shared/Runs/RunSpecSchema.cs by `{RegenerateCommand}`; a test fails when it differs. -->\n\n");
        text.Append("What a run trains. The same fields are the JSON body of `POST /api/runs` (camelCase; a field left out takes its\n");
        text.Append("default), the run flags of the CLI's `train` and `submit`, the inputs of the web app's New run form and the rows\n");
        text.Append("of a run page's spec table. The defaults are the TensorFlow DCGAN tutorial's recipe. A value outside its limits\n");
        text.Append("is refused with the same message everywhere: the API's 400 ProblemDetails names the JSON field, the form marks\n");
        text.Append("the field, the CLI exits with code 2 naming the flag.\n\n");
        text.Append("| JSON name | JSON type | CLI flag | form label | default | meaning | limits |\n");
        text.Append("| --- | --- | --- | --- | --- | --- | --- |\n");
        foreach (var field in RunSpecSchema.Fields)
        {
            var defaultValue = field.Display(defaults);
            string[] cells =
            [
                $"`{field.Name}`",
                field.JsonType,
                $"`{field.Flag} {options.OptionOf(field).HelpName}`",
                field.Label,
                defaultValue.Length == 0 ? "none" : defaultValue,
                field.Help,
                field.FixedForFork ? $"{field.Limits}; a fork keeps its parent's" : field.Limits,
            ];
            text.Append(Row(cells));
        }

        AppendPresets(text, defaults);
        return text.ToString();
    }
}
