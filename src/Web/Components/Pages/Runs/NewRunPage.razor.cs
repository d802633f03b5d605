using DigitGan.Shared.Runs;
using DigitGan.Web.Security;
using DigitGan.Web.Services;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace DigitGan.Web.Components.Pages.Runs;

/// <summary>
/// Submits a run: the tutorial's defaults, presets, a clone (?from=) or a fork (?from=&amp;checkpoint=), validated
/// field by field with the same rules as the REST API (<see cref="RunSpec.Validate"/>).
/// </summary>
public partial class NewRunPage
{
    private RunSpecForm _form = RunSpecForm.From(new RunSpec());
    private IReadOnlyDictionary<string, string[]> _errors = new Dictionary<string, string[]>();
    private MudForm? _mudForm;
    private string? _sourceName;
    private bool _notFound;
    private bool _storageFailed;
    private bool _submitting;

    [SupplyParameterFromQuery(Name = "from")]
    public string? From { get; set; }

    [SupplyParameterFromQuery(Name = "checkpoint")]
    public int? Checkpoint { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState>? AuthState { get; set; }

    private bool _isOperator;
    private string? _accessError;

    [Inject]
    private RunService RunService { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        _isOperator = await CurrentUser.IsOperatorAsync(AuthState);
        _storageFailed = _notFound = false;
        _sourceName = null;
        _errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(From))
        {
            _form = RunSpecForm.From(new RunSpec());
            return;
        }

        try
        {
            var source = Guid.TryParse(From, out var sourceId) ? await RunService.GetAsync(sourceId) : null;
            if (source is null)
            {
                _notFound = true;
                return;
            }

            _sourceName = source.Spec.Name;
            _form = RunSpecForm.From(source.Spec with
            {
                Name = Checkpoint is { } epoch ? $"{source.Spec.Name}-from-{epoch}" : $"{source.Spec.Name}-copy",
                Parent = Checkpoint is { } fork ? new RunParent(source.RunId, fork) : null,
                Epochs = Checkpoint is { } at && at >= source.Spec.Epochs ? Math.Min(RunSpec.MaxEpochs, at + source.Spec.Epochs) : source.Spec.Epochs,
            });
            Validate();
        }
        catch (Exception ex) when (StorageErrors.IsUnreachable(ex))
        {
            _storageFailed = true;
        }
    }

    private string? Error(string field) => _errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    private void Validate() => _errors = _form.ToSpec().Validate();

    private void ApplyPreset(Func<RunSpec, RunSpec> apply)
    {
        _form.Change(apply);
        Validate();
    }

    private async Task SubmitAsync()
    {
        Validate();
        if (_errors.Count > 0)
        {
            return;
        }

        _submitting = true;
        try
        {
            var manifest = await RunService.SubmitAsync(_form.ToSpec(), await CurrentUser.GetAsync(AuthState));
            Navigation.NavigateTo($"/runs/{manifest.RunId}");
        }
        catch (RunSpecException ex)
        {
            _errors = ex.Errors;
        }
        catch (RunAccessDeniedException ex)
        {
            _accessError = ex.Message;
        }
        catch (RunQueueFullException ex)
        {
            _accessError = ex.Message;
        }
        catch (Exception ex) when (StorageErrors.IsUnreachable(ex))
        {
            _storageFailed = true;
        }
        finally
        {
            _submitting = false;
        }
    }
}
