using DigitGan.Shared.Runs;
using DigitGan.Shared.Sweeps;
using DigitGan.Web.Components.Pages.Runs;
using DigitGan.Web.Components.Sweeps;
using DigitGan.Web.Security;
using DigitGan.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace DigitGan.Web.Components.Pages.Sweeps;

/// <summary>
/// Creates a sweep: the base spec with the run form's schema-driven inputs, axis rows, random trials and seed, and
/// successive halving; checked by the same rules as POST /api/sweeps (<see cref="SweepSpec.Validate"/>), field by field.
/// </summary>
public partial class NewSweepPage
{
    private readonly RunSpecForm _base = RunSpecForm.From(new RunSpec { Epochs = 9, TrainSubset = 6_000, EvaluationSamples = 1_000 });
    private readonly List<SweepAxisRow> _axes =
    [
        new() { Field = "learningRate", ValuesText = "0.0001, 0.0002" },
        new() { Field = "seed", ValuesText = "0, 1" },
    ];

    private readonly AshaSettings _ashaDefaults = new();
    private string _name = "sweep";
    private int _trials = 1;
    private long _seed;
    private bool _ashaOn = true;
    private AshaForm _asha = new();
    private IReadOnlyDictionary<string, string[]> _errors = new Dictionary<string, string[]>();
    private bool _isOperator;
    private bool _creating;
    private bool _storageFailed;
    private string? _accessError;

    [CascadingParameter]
    private Task<AuthenticationState>? AuthState { get; set; }

    [Inject]
    private SweepService Sweeps { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        _isOperator = await CurrentUser.IsOperatorAsync(AuthState);
        _asha = new AshaForm { Metric = _ashaDefaults.Metric, ReductionFactor = _ashaDefaults.ReductionFactor, MinEpochs = _ashaDefaults.MinEpochs };
    }

    private SweepSpec ToSpec() => new()
    {
        Name = _name,
        Base = _base.ToSpec(),
        Axes = [.. _axes.Select(a => a.ToAxis())],
        Trials = _trials,
        Seed = _seed,
        Asha = _ashaOn ? new AshaSettings { Metric = _asha.Metric, ReductionFactor = _asha.ReductionFactor, MinEpochs = _asha.MinEpochs } : null,
    };

    private string RunCountText
    {
        get
        {
            var count = SweepExpansion.RunCount(ToSpec());
            return count == 1 ? "1 run" : $"{count} runs";
        }
    }

    private string RungsText
    {
        get
        {
            var spec = ToSpec();
            var rungs = spec.Asha is { } asha ? AshaScheduler.Rungs(asha, spec.Base.Epochs) : [];
            return rungs.Count == 0 ? "No rungs: check the settings." : $"Rungs at epochs {string.Join(", ", rungs)}";
        }
    }

    private string? Error(string key) => _errors.TryGetValue(key, out var messages) ? string.Join(" ", messages) : null;

    /// <summary>The messages of one part of an axis row (values includes those of single values, values[2]).</summary>
    private string? AxisError(int index, string part)
    {
        var prefix = $"axes[{index}].{part}";
        var messages = _errors.Where(e => e.Key == prefix || e.Key.StartsWith(prefix + "[", StringComparison.Ordinal) || (part == "values" && e.Key == $"axes[{index}]"))
            .SelectMany(e => e.Value).ToList();
        return messages.Count == 0 ? null : string.Join(" ", messages);
    }

    private static string Limits(string field) => RunSpecSchema.Find(field) is { } known
        ? known.Kind == RunSpecFieldKind.Choice ? $"Any of {string.Join(", ", known.Choices)}" : $"Each {known.Limits}"
        : "";

    private void AddAxis() => _axes.Add(new SweepAxisRow { Field = SweepExpansion.SweepableFields.Select(f => f.Name).FirstOrDefault(n => _axes.All(a => a.Field != n)) ?? "seed" });

    private async Task CreateAsync()
    {
        var spec = ToSpec();
        _errors = spec.Validate();
        if (_errors.Count > 0)
        {
            return;
        }

        _creating = true;
        try
        {
            var sweep = await Sweeps.CreateAsync(spec, await CurrentUser.GetAsync(AuthState));
            Navigation.NavigateTo($"/sweeps/{sweep.SweepId}");
        }
        catch (SweepSpecException ex)
        {
            _errors = ex.Errors;
        }
        catch (RunAccessDeniedException ex)
        {
            _accessError = ex.Message;
        }
        catch (Exception ex) when (StorageErrors.IsUnreachable(ex))
        {
            _storageFailed = true;
        }
        finally
        {
            _creating = false;
        }
    }

    /// <summary>The ASHA inputs (settings are immutable records; the form binds to this).</summary>
    private sealed class AshaForm
    {
        public SweepMetric Metric { get; set; }

        public int ReductionFactor { get; set; }

        public int MinEpochs { get; set; }
    }
}
