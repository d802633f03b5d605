using DigitGan.Shared.Runs;

namespace DigitGan.Web.Components.Pages.Runs;

/// <summary>
/// The new-run form's state: a <see cref="RunSpec"/>, plus the text being typed into the fields edited as text
/// (name, tags, notes), kept as typed so that trimming and splitting happen only in <see cref="ToSpec"/>.
/// </summary>
public sealed class RunSpecForm
{
    private readonly Dictionary<string, string> _texts;
    private RunSpec _spec;

    private RunSpecForm(RunSpec spec)
    {
        _spec = spec;
        _texts = RunSpecSchema.Fields.Where(IsEditedAsText).ToDictionary(field => field.Name, field => field.Display(spec));
    }

    /// <summary>
    /// The presets the form offers: what they are called, what they are for and what they change. The named presets
    /// (<see cref="RunPresets"/>) replace the training fields and keep the name, tags and notes typed so far.
    /// </summary>
    public static IReadOnlyList<(string Label, string Description, Func<RunSpec, RunSpec> Apply)> Presets { get; } =
    [
        .. RunPresets.Names.Select(name => (PresetLabel(name), RunPresets.Describe(name), (Func<RunSpec, RunSpec>)(spec => RunPresets.Get(name) with { Name = spec.Name, Tags = spec.Tags, Notes = spec.Notes, Parent = spec.Parent }))),
        ("Quick check", "A smoke test of the tutorial's recipe: 1 epoch on 6,000 images.", spec => spec with { Epochs = 1, TrainSubset = 6_000, CheckpointEvery = 1 }),
        ("Seed notebook", "The original notebook's length: the tutorial for 100 epochs.", spec => spec with { Epochs = 100, TrainSubset = null, CheckpointEvery = 15 }),
    ];

    private static string PresetLabel(string name) => name switch
    {
        RunPresets.FirstLook => "First look",
        RunPresets.Improved => "Improved",
        _ => "Faithful (tutorial)",
    };

    public RunParent? Parent => _spec.Parent;

    public static RunSpecForm From(RunSpec spec) => new(spec);

    public T Value<T>(RunSpecField<T> field) => field.Get(_spec);

    public string Text(RunSpecField field) => _texts[field.Name];

    public void SetText(RunSpecField field, string text) => _texts[field.Name] = text;

    public void Change(Func<RunSpec, RunSpec> change) => _spec = change(_spec);

    public RunSpec ToSpec() => RunSpecSchema.Fields.Where(IsEditedAsText).Aggregate(_spec, (spec, field) => WithText(spec, field, _texts[field.Name]));

    private static bool IsEditedAsText(RunSpecField field) => field.Kind is RunSpecFieldKind.Text or RunSpecFieldKind.OptionalText or RunSpecFieldKind.Tags;

    private static RunSpec WithText(RunSpec spec, RunSpecField field, string text) => field.Kind switch
    {
        RunSpecFieldKind.Text => ((RunSpecField<string>)field).With(spec, text.Trim()),
        RunSpecFieldKind.OptionalText => ((RunSpecField<string?>)field).With(spec, string.IsNullOrWhiteSpace(text) ? null : text),
        RunSpecFieldKind.Tags => ((RunSpecField<IReadOnlyList<string>>)field).With(spec, text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)),
        _ => throw new ArgumentException($"{field.Name} is not edited as text.", nameof(field)),
    };
}
