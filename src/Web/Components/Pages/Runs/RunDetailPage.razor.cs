using DigitGan.Shared.Runs;
using DigitGan.Web.Components.Runs;
using DigitGan.Web.Security;
using DigitGan.Web.Services;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace DigitGan.Web.Components.Pages.Runs;

/// <summary>One run, live: progress, health, charts, the sample grid of any epoch, checkpoints and actions.</summary>
public partial class RunDetailPage
{
    private const int MaxEpochs = RunSpec.MaxEpochs;

    private RunManifest? _run;
    private RunHistory _history = RunHistory.Empty;
    private IReadOnlyList<CheckpointFile> _checkpoints = [];
    private IReadOnlyList<ChartSeries> _lossSeries = [];
    private IReadOnlyList<ChartSeries> _fidSeries = [];
    private IReadOnlyList<ChartSeries> _scoreSeries = [];
    private int _epochs;
    private int _epoch;
    private bool _followLatest = true;
    private string? _loadedFor;

    [Parameter]
    public string Id { get; set; } = "";

    /// <summary>The grid's epoch to open on (?epoch=N); the newest by default, following new epochs while training.</summary>
    [SupplyParameterFromQuery(Name = "epoch")]
    public int? Epoch { get; set; }

    /// <summary>The loss chart's smoothing weight (?smoothing=0.6, TensorBoard's default; 0 draws the raw steps only).</summary>
    [SupplyParameterFromQuery(Name = "smoothing")]
    public double? SmoothingQuery { get; set; }

    private double Smoothing => Math.Clamp(SmoothingQuery ?? 0.6, 0, 0.99);

    [Inject]
    private RunService RunService { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState>? AuthState { get; set; }

    private bool _isOperator;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    protected override bool NeedsRefresh => _run is { IsFinished: false };

    private int ChartEpochs => Math.Max(_run?.Spec.Epochs ?? 1, _epochs);

    protected override async Task LoadAsync(CancellationToken cancellationToken)
    {
        _isOperator = await CurrentUser.IsOperatorAsync(AuthState);
        if (!Guid.TryParse(Id, out var runId))
        {
            _run = null;
            return;
        }

        var run = await RunService.GetAsync(runId, cancellationToken);
        // Steps too: the loss curves move during an epoch, not only at its end.
        var version = run is null ? null : $"{run.Progress.Epoch}/{run.Progress.Step}/{run.Status}/{run.LatestCheckpointEpoch}/{Smoothing}";
        if (run is not null && version != _loadedFor)
        {
            _history = await RunService.GetHistoryAsync(runId, cancellationToken);
            _checkpoints = await RunService.ListCheckpointsAsync(runId, cancellationToken);
            _lossSeries = ChartData.Losses(_history, Smoothing);
            _fidSeries = ChartData.Fid(_history);
            _scoreSeries = ChartData.ScoreAndClasses(_history);
            _loadedFor = version;
        }

        _run = run;
        _epochs = run?.Progress.Epoch ?? 0;
        if (Epoch is { } requested && _loadedFor is not null && _epoch == 0)
        {
            _followLatest = false;
            _epoch = Math.Clamp(requested, 1, Math.Max(1, _epochs));
        }
        else if (_followLatest || _epoch > _epochs)
        {
            _epoch = _epochs;
        }
    }

    /// <summary>A new smoothing weight: kept in the URL (replacing the history entry) and the losses recomputed from the full series.</summary>
    private void SetSmoothing(double weight)
    {
        SmoothingQuery = Math.Round(weight, 2);
        _lossSeries = ChartData.Losses(_history, Smoothing);
        _loadedFor = _loadedFor is null ? null : _loadedFor[.._loadedFor.LastIndexOf('/')] + $"/{Smoothing}";
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("smoothing", Smoothing.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)), replace: true);
    }

    private void SelectEpoch(int epoch)
    {
        _epoch = Math.Clamp(epoch, 1, Math.Max(1, _epochs));
        _followLatest = _epoch == _epochs && _run is { IsFinished: false };
    }

    private void OnKeyDown(KeyboardEventArgs key)
    {
        if (key.Key is "ArrowLeft" or "ArrowDown")
        {
            SelectEpoch(_epoch - 1);
        }
        else if (key.Key is "ArrowRight" or "ArrowUp")
        {
            SelectEpoch(_epoch + 1);
        }
        else if (key.Key == "Home")
        {
            SelectEpoch(1);
        }
        else if (key.Key == "End")
        {
            SelectEpoch(_epochs);
        }
    }

    private async Task CancelAsync()
    {
        if (_run is null || await Dialogs.ShowMessageBoxAsync("Cancel this run?", $"Training of {_run.Spec.Name} stops within a few seconds; its checkpoints and metrics are kept.", yesText: "Cancel run", cancelText: "Keep training") != true)
        {
            return;
        }

        var user = await CurrentUser.GetAsync(AuthState);
        await RunAction(() => RunService.CancelAsync(_run.RunId, user), "Cancel requested.");
    }

    private async Task DeleteAsync()
    {
        if (_run is null || await Dialogs.ShowMessageBoxAsync("Delete this run?", $"This deletes {_run.Spec.Name} with its checkpoints, metrics and samples. It cannot be undone.", yesText: "Delete", cancelText: "Keep it") != true)
        {
            return;
        }

        var user = await CurrentUser.GetAsync(AuthState);
        if (await RunAction(async () => await RunService.DeleteAsync(_run.RunId, user), null) && !StorageFailed)
        {
            Navigation.NavigateTo("/runs");
        }
    }

    private bool _editing;
    private string _editName = "";
    private string _editTags = "";
    private string _editNotes = "";
    private IReadOnlyDictionary<string, string[]> _editErrors = new Dictionary<string, string[]>();

    private string? EditError(string field) => _editErrors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    private void StartEdit()
    {
        if (_run is null)
        {
            return;
        }

        (_editName, _editTags, _editNotes) = (_run.Spec.Name, string.Join(", ", _run.Spec.Tags), _run.Spec.Notes ?? "");
        _editErrors = new Dictionary<string, string[]>();
        _editing = true;
    }

    private async Task SaveEditAsync()
    {
        if (_run is null)
        {
            return;
        }

        var edit = new RunEdit
        {
            Name = (_editName ?? "").Trim(),
            Tags = (_editTags ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            Notes = _editNotes ?? "",
        };
        var user = await CurrentUser.GetAsync(AuthState);
        try
        {
            if (await RunAction(() => RunService.EditAsync(_run.RunId, edit, user), "Saved."))
            {
                _editing = false;
            }
        }
        catch (RunSpecException ex)
        {
            _editErrors = ex.Errors;
        }
    }

    /// <summary>Runs a write and reloads; false when the server refused it or the store did not answer (said in a snackbar).</summary>
    private async Task<bool> RunAction(Func<Task> action, string? done)
    {
        try
        {
            await action();
            if (done is not null)
            {
                Snackbar.Add(done, Severity.Info);
            }
        }
        catch (RunAccessDeniedException ex)
        {
            Snackbar.Add(ex.Message, Severity.Error);
            return false;
        }
        catch (Exception ex) when (StorageErrors.IsUnreachable(ex))
        {
            Snackbar.Add("Storage is unreachable: nothing was changed. Try again shortly.", Severity.Error);
            return false;
        }

        _loadedFor = null;
        await ReloadAsync();
        return true;
    }

    public static string HealthExplanation(HealthFlagKind kind) => kind switch
    {
        HealthFlagKind.DiscriminatorWins => "The discriminator tells real from fake almost perfectly, so the generator gets little gradient to learn from.",
        HealthFlagKind.ModeCollapse => "The generator makes only a few kinds of digit (mode collapse).",
        HealthFlagKind.NonFinite => "A loss or weight became NaN or infinite; the run stopped and kept its last good checkpoint.",
        _ => "",
    };
}
