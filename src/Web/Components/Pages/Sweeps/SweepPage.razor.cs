using System.Globalization;
using DigitGan.Shared.Runs;
using DigitGan.Shared.Sweeps;
using DigitGan.Web.Components.Sweeps;
using DigitGan.Web.Security;
using DigitGan.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace DigitGan.Web.Components.Pages.Sweeps;

/// <summary>
/// One sweep: its progress, the best run so far, a matrix of the runs' sample grids over two axes at one epoch
/// (tinted by the metric), the metric against each axis, its runs with their rung decisions, "stop sweep" and
/// "compare best k" (the compare page with the k best runs).
/// </summary>
public partial class SweepPage
{
    private SweepManifest? _sweep;
    private Dictionary<Guid, RunSummary> _runs = [];
    private readonly Dictionary<Guid, RunHistory> _histories = [];
    private readonly HashSet<Guid> _final = [];
    private List<string> _fields = [];
    private string _rowAxis = "";
    private string? _columnAxis;
    private int _epoch = 1;
    private bool _epochChosen;
    private int _compareCount = 2;
    private SweepCounts _counts = new(0, 0, 0, 0);
    private List<(SweepTrial Trial, int Epoch, double Value)> _ranked = [];
    private bool _isOperator;
    private string? _accessError;

    [Parameter]
    public string Id { get; set; } = "";

    [CascadingParameter]
    private Task<AuthenticationState>? AuthState { get; set; }

    [Inject]
    private SweepService Sweeps { get; set; } = default!;

    [Inject]
    private RunService Runs { get; set; } = default!;

    protected override TimeSpan RefreshInterval => TimeSpan.FromSeconds(3);

    protected override bool NeedsRefresh => _sweep is null || !_sweep.IsFinished || _runs.Values.Any(r => r.Status is RunStatus.Queued or RunStatus.Running);

    private SweepMetric Metric => _sweep?.Spec.Asha?.Metric ?? SweepMetric.Fid;

    private string MetricName => Metric == SweepMetric.Fid ? "FID" : "IS";

    private bool LowerIsBetter => Metric == SweepMetric.Fid;

    private string CompareHref => $"/compare?runs={string.Join(',', _ranked.Take(Math.Clamp(_compareCount, 2, 6)).Select(r => r.Trial.RunId))}";

    protected override async Task LoadAsync(CancellationToken cancellationToken)
    {
        _isOperator = await CurrentUser.IsOperatorAsync(AuthState);
        _sweep = Guid.TryParse(Id, out var id) ? await Sweeps.GetAsync(id, cancellationToken) : null;
        if (_sweep is not { } sweep)
        {
            return;
        }

        if (_fields.Count == 0)
        {
            _fields = [.. sweep.Trials.SelectMany(t => t.Values.Keys).Distinct()];
            _rowAxis = _fields.FirstOrDefault() ?? "";
            _columnAxis = _fields.Skip(1).FirstOrDefault();
        }

        _runs = (await Runs.ListAllAsync(tag: sweep.Tag, cancellationToken: cancellationToken)).ToDictionary(r => r.RunId);
        foreach (var trial in sweep.Trials)
        {
            // A live run's history is read at each refresh; a finished one's once more after it ended, then no more.
            if (_runs.TryGetValue(trial.RunId, out var run) && !_final.Contains(trial.RunId))
            {
                _histories[trial.RunId] = await Runs.GetHistoryAsync(trial.RunId, cancellationToken);
                if (IsFinished(run.Status))
                {
                    _final.Add(trial.RunId);
                }
            }
        }

        _counts = SweepCounts.Of(sweep, _runs);
        _ranked = [.. sweep.Trials.Select(t => (Trial: t, Latest: LatestOf(t))).Where(x => x.Latest is not null)
            .Select(x => (x.Trial, x.Latest!.Value.Epoch, x.Latest.Value.Value))
            .OrderByDescending(x => x.Epoch).ThenBy(x => LowerIsBetter ? x.Value : -x.Value)];
        if (!_epochChosen)
        {
            _epoch = Math.Max(1, _runs.Values.Select(r => r.Epoch).DefaultIfEmpty(1).Max());
        }
    }

    private static bool IsFinished(RunStatus status) => status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled or RunStatus.Damaged;

    private void SetEpoch(int epoch)
    {
        _epoch = epoch;
        _epochChosen = true;
    }

    private IEnumerable<string> RowValues => ValuesOf(_rowAxis);

    private IEnumerable<string?> ColumnValues => _columnAxis is null || _columnAxis == _rowAxis ? new string?[] { null } : ValuesOf(_columnAxis).Cast<string?>();

    private List<string> ValuesOf(string field) => [.. (_sweep?.Trials ?? []).Select(t => t.Values.GetValueOrDefault(field) ?? "").Distinct()];

    private IEnumerable<SweepTrial> Cell(string row, string? column) => (_sweep?.Trials ?? []).Where(t =>
        t.Values.GetValueOrDefault(_rowAxis) == row && (column is null || _columnAxis is null || t.Values.GetValueOrDefault(_columnAxis) == column));

    private bool HasGrid(SweepTrial trial, int epoch) => _histories.TryGetValue(trial.RunId, out var history) && history.Epochs.Any(e => e.Epoch == epoch);

    private double? MetricAt(SweepTrial trial, int epoch)
        => _histories.TryGetValue(trial.RunId, out var history) && history.EvaluationAt(epoch) is { } evaluation ? ValueOf(evaluation) : null;

    private (int Epoch, double Value)? LatestOf(SweepTrial trial)
        => _histories.TryGetValue(trial.RunId, out var history) && history.Evaluations.Count > 0 && history.Evaluations[^1] is var last ? (last.Epoch, ValueOf(last)) : null;

    private double ValueOf(EvaluationMetrics evaluation) => Metric == SweepMetric.Fid ? evaluation.Fid : evaluation.InceptionScore;

    /// <summary>Green for the best value at the epoch, red for the worst, by rank among the runs scored there.</summary>
    private string Tint(double? value)
    {
        if (value is not { } own || _sweep is null)
        {
            return "";
        }

        var values = _sweep.Trials.Select(t => MetricAt(t, _epoch)).OfType<double>().Distinct().Order().ToList();
        var rank = values.Count <= 1 ? 0 : (double)values.IndexOf(own) / (values.Count - 1);
        var goodness = LowerIsBetter ? 1 - rank : rank;
        var hue = (int)Math.Round(120 * goodness);
        return string.Create(CultureInfo.InvariantCulture, $"border-color: hsl({hue}, 70%, 42%); background: hsla({hue}, 70%, 45%, 0.25);");
    }

    private IReadOnlyList<ScatterChart.Point> ScatterPoints(string field) => [.. _ranked.Select(r => new ScatterChart.Point(
        r.Trial.Values.GetValueOrDefault(field) ?? "", r.Value, $"{r.Trial.Spec.Name} (epoch {r.Epoch})"))];

    private static string Format3(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private async Task StopAsync()
    {
        if (_sweep is null)
        {
            return;
        }

        try
        {
            await Sweeps.StopAsync(_sweep.SweepId, await CurrentUser.GetAsync(AuthState));
            await ReloadAsync();
        }
        catch (RunAccessDeniedException ex)
        {
            _accessError = ex.Message;
        }
    }
}
