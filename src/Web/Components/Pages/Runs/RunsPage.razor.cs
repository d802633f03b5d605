using DigitGan.Shared.Runs;
using DigitGan.Web.Components.Runs;
using DigitGan.Web.Services;
using Microsoft.AspNetCore.Components;

namespace DigitGan.Web.Components.Pages.Runs;

/// <summary>All runs, newest first, filtered by status and tag (both in the URL), live; pick 2-6 to compare.</summary>
public partial class RunsPage
{
    public const int MaxCompare = 6;

    private readonly HashSet<Guid> _selected = [];
    private IReadOnlyList<RunSummary> _runs = [];

    [Inject]
    private RunService RunService { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "status")]
    public string? Status { get; set; }

    [SupplyParameterFromQuery(Name = "tag")]
    public string? Tag { get; set; }

    private bool CanCompare => _selected.Count is >= 2 and <= MaxCompare;

    private bool IsNightlyView => string.Equals(Tag, NightlyTimeline.Tag, StringComparison.OrdinalIgnoreCase);

    protected override async Task LoadAsync(CancellationToken cancellationToken)
    {
        RunStatus? status = Enum.TryParse<RunStatus>(Status, ignoreCase: true, out var parsed) ? parsed : null;
        var runs = await RunService.ListAllAsync(status, string.IsNullOrWhiteSpace(Tag) ? null : Tag.Trim(), cancellationToken);
        _runs = runs;
        if (status is null && string.IsNullOrWhiteSpace(Tag))
        {
            _selected.IntersectWith(runs.Select(r => r.RunId));
        }
    }

    private void Toggle(Guid runId, bool selected)
    {
        if (selected)
        {
            _selected.Add(runId);
        }
        else
        {
            _selected.Remove(runId);
        }
    }

    private void SetStatus(string? status) => Navigate(string.IsNullOrEmpty(status) ? null : status, Tag);

    private void SetTag(string? tag) => Navigate(Status, string.IsNullOrWhiteSpace(tag) ? null : tag.Trim());

    private void Navigate(string? status, string? tag) =>
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?> { ["status"] = status, ["tag"] = tag }));

    private void Compare()
    {
        var ordered = _runs.Where(r => _selected.Contains(r.RunId)).Select(r => r.RunId)
            .Concat(_selected.Where(id => _runs.All(r => r.RunId != id)));
        Navigation.NavigateTo($"/compare?runs={string.Join(',', ordered)}");
    }
}
