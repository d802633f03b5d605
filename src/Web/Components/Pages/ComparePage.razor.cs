using System.Globalization;
using DigitGan.Shared.Imaging;
using DigitGan.Shared.Runs;
using DigitGan.Web.Components.Runs;
using DigitGan.Web.Services;
using Microsoft.AspNetCore.Components;

namespace DigitGan.Web.Components.Pages;

/// <summary>
/// 2-6 runs side by side at one epoch; one noise cell across all epochs; a wipe or flicker of two grids at
/// pixel-exact zoom; a metrics table (final, best, at the slider's epoch; differences only on request) with warnings
/// when the evaluations do not compare; overlaid curves; the spec fields that differ. The URL holds the whole state
/// (runs, epoch, cell, view, zoom, wipe, a, b, diff), so a comparison can be shared as a link.
/// </summary>
public partial class ComparePage
{
    public const int MaxRuns = 6;
    private const int FlickerMilliseconds = 600;
    private const int GridPixels = SampleGridLayout.Columns * (SampleGridLayout.DigitSize * SampleGridLayout.Scale + SampleGridLayout.Gap) + SampleGridLayout.Gap;

    private readonly Dictionary<Guid, (string Version, RunHistory History)> _histories = [];
    private List<ComparedRun> _runs = [];
    private List<Guid> _runIds = [];
    private List<string> _missing = [];
    private IReadOnlyList<RunSummary> _choices = [];
    private IReadOnlyList<ChartSeries> _lossSeries = [];
    private IReadOnlyList<ChartSeries> _fidSeries = [];
    private IReadOnlyList<ChartSeries> _scoreSeries = [];
    private IReadOnlyList<string> _warnings = [];
    private int _maxEpoch;
    private int _epoch;
    private bool _flickerShowsB;
    private CancellationTokenSource? _flicker;

    [SupplyParameterFromQuery(Name = "runs")]
    public string? Runs { get; set; }

    [SupplyParameterFromQuery(Name = "epoch")]
    public int? Epoch { get; set; }

    [SupplyParameterFromQuery(Name = "cell")]
    public int? Cell { get; set; }

    [SupplyParameterFromQuery(Name = "view")]
    public string? View { get; set; }

    [SupplyParameterFromQuery(Name = "zoom")]
    public int? Zoom { get; set; }

    [SupplyParameterFromQuery(Name = "wipe")]
    public int? Wipe { get; set; }

    /// <summary>The metrics table shows only the metrics whose values differ between the runs (?diff=1).</summary>
    [SupplyParameterFromQuery(Name = "diff")]
    public int? Diff { get; set; }

    [SupplyParameterFromQuery(Name = "a")]
    public int? A { get; set; }

    [SupplyParameterFromQuery(Name = "b")]
    public int? B { get; set; }

    [Inject]
    private RunService RunService { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    private sealed record ComparedRun(RunManifest Manifest, RunHistory History);

    protected override bool NeedsRefresh => _runs.Any(r => !r.Manifest.IsFinished);

    private string ViewMode => View == "flicker" ? "flicker" : "wipe";

    private bool DifferencesOnly => Diff == 1;

    private int ZoomFactor => Math.Clamp(Zoom ?? 1, 1, 3);

    private int WipePercent => Math.Clamp(Wipe ?? 50, 0, 100);

    private int PairA => Math.Clamp(A ?? 0, 0, Math.Max(0, _runs.Count - 1));

    private int PairB => Math.Clamp(B ?? 1, 0, Math.Max(0, _runs.Count - 1));

    private static string Color(int index) => ChartData.Palette[index % ChartData.Palette.Length];

    private static string Grid(ComparedRun run, int epoch) => $"/api/runs/{run.Manifest.RunId}/samples/{epoch}.png";

    protected override async Task LoadAsync(CancellationToken cancellationToken)
    {
        var ids = (Runs ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        _missing = [.. ids.Where(id => !Guid.TryParse(id, out _))];
        var runs = new List<ComparedRun>();
        foreach (var id in ids.Select(id => Guid.TryParse(id, out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).Distinct().Take(MaxRuns))
        {
            if (await RunService.GetAsync(id, cancellationToken) is not { } manifest)
            {
                _missing.Add(id.ToString());
                continue;
            }

            var version = $"{manifest.Progress.Epoch}/{manifest.Status}";
            if (!_histories.TryGetValue(id, out var cached) || cached.Version != version)
            {
                cached = (version, await RunService.GetHistoryAsync(id, cancellationToken));
                _histories[id] = cached;
            }

            runs.Add(new ComparedRun(manifest, cached.History));
        }

        _choices = await RunService.ListAllAsync(cancellationToken: cancellationToken);
        _runs = runs;
        _runIds = [.. runs.Select(r => r.Manifest.RunId)];
        _maxEpoch = runs.Count == 0 ? 0 : runs.Max(r => r.Manifest.Progress.Epoch);
        _epoch = Math.Clamp(Epoch ?? _maxEpoch, Math.Min(1, _maxEpoch), _maxEpoch);
        _lossSeries =
        [
            .. runs.SelectMany((r, i) => new[]
            {
                new ChartSeries($"{r.Manifest.Spec.Name} G", [.. r.History.Epochs.Select(e => new ChartPoint(e.Epoch, e.GLoss))], Color(i)),
                new ChartSeries($"{r.Manifest.Spec.Name} D", [.. r.History.Epochs.Select(e => new ChartPoint(e.Epoch, e.DLoss))], Color(i), Dashed: true),
            }),
        ];
        _fidSeries = [.. runs.Select((r, i) => new ChartSeries(r.Manifest.Spec.Name, [.. r.History.Evaluations.Select(e => new ChartPoint(e.Epoch, e.Fid))], Color(i)))];
        _scoreSeries = [.. runs.Select((r, i) => new ChartSeries(r.Manifest.Spec.Name, [.. r.History.Evaluations.Select(e => new ChartPoint(e.Epoch, e.InceptionScore))], Color(i)))];
        _warnings = CompareMetrics.Warnings([.. runs.Select(r => (r.Manifest, r.History))]);
        UpdateFlicker();
    }

    private void SetRuns(IEnumerable<Guid> ids) => Update(("runs", string.Join(',', ids.Take(MaxRuns))));

    private void SetEpoch(int epoch) => Update(("epoch", epoch.ToString(CultureInfo.InvariantCulture)));

    private void SetDifferencesOnly(bool on) => Update(("diff", on ? "1" : null));

    private void SetCell(int cell) => Update(("cell", cell.ToString(CultureInfo.InvariantCulture)));

    private void SetView(string view) => Update(("view", view));

    private void SetZoom(int zoom) => Update(("zoom", zoom.ToString(CultureInfo.InvariantCulture)));

    private void SetWipe(int percent) => Update(("wipe", percent.ToString(CultureInfo.InvariantCulture)));

    private void SetPair(int a, int b) => Update(("a", a.ToString(CultureInfo.InvariantCulture)), ("b", b.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Every change goes through the URL (replacing the history entry), so the address always describes the view.</summary>
    private void Update(params (string Name, string? Value)[] changes)
    {
        var parameters = new Dictionary<string, object?>();
        foreach (var (name, value) in changes)
        {
            parameters[name] = value;
        }

        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(parameters), replace: true);
    }

    private void UpdateFlicker()
    {
        var wanted = ViewMode == "flicker" && _runs.Count >= 2;
        if (wanted && _flicker is null)
        {
            _flicker = CancellationTokenSource.CreateLinkedTokenSource(PageStopping);
            _ = FlickerAsync(_flicker.Token);
        }
        else if (!wanted && _flicker is not null)
        {
            _flicker.Cancel();
            _flicker = null;
        }
    }

    private async Task FlickerAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(FlickerMilliseconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                await InvokeAsync(() =>
                {
                    _flickerShowsB = !_flickerShowsB;
                    StateHasChanged();
                }).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
