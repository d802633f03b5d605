using DigitGan.Shared.Runs;
using DigitGan.Web.Components.Runs;
using DigitGan.Web.Services;
using Microsoft.AspNetCore.Components;

namespace DigitGan.Web.Components.Pages.Runs;

/// <summary>
/// All runs, newest first, live, narrowed by status, tags, a name search and a filter expression (all in the URL, so a
/// reload or a shared link shows the same rows); columns for the summary metrics and the spec fields that differ
/// between the listed runs; CSV of the rows listed; pick 2-6 to compare.
/// </summary>
public partial class RunsPage
{
    public const int MaxCompare = 6;

    private readonly HashSet<Guid> _selected = [];
    private IReadOnlyList<RunSummary> _runs = [];
    private IReadOnlyList<RunTableColumn> _specColumns = [];
    private string? _filterError;
    private string? _newTag;

    [Inject]
    private RunService RunService { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "status")]
    public string? Status { get; set; }

    /// <summary>Tags the runs must all have (?tag=a&amp;tag=b).</summary>
    [SupplyParameterFromQuery(Name = "tag")]
    public string[]? TagValues { get; set; }

    [SupplyParameterFromQuery(Name = "q")]
    public string? Search { get; set; }

    [SupplyParameterFromQuery(Name = "filter")]
    public string? Filter { get; set; }

    private IReadOnlyList<string> Tags => [.. (TagValues ?? []).Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).Distinct(StringComparer.Ordinal)];

    private bool HasConditions => Status is not null || Tags.Count > 0 || !string.IsNullOrWhiteSpace(Search) || !string.IsNullOrWhiteSpace(Filter);

    private bool CanCompare => _selected.Count is >= 2 and <= MaxCompare;

    private bool IsNightlyView => Tags.Contains(NightlyTimeline.Tag, StringComparer.OrdinalIgnoreCase);

    /// <summary>GET /api/runs/csv with this page's conditions: the rows listed, as CSV.</summary>
    private string CsvHref => "/api/runs/csv" + new Uri(Navigation.GetUriWithQueryParameters(QueryOf(Status, Tags, Search, Filter))).Query;

    protected override async Task LoadAsync(CancellationToken cancellationToken)
    {
        RunStatus? status = Enum.TryParse<RunStatus>(Status, ignoreCase: true, out var parsed) ? parsed : null;
        RunFilter? filter;
        try
        {
            filter = RunFilter.Parse(Filter);
            _filterError = null;
        }
        catch (RunFilterException ex)
        {
            _filterError = ex.Message;
            (_runs, _specColumns) = ([], []);
            return;
        }

        var runs = await RunService.ListAllAsync(new RunQuery { Status = status, Tags = Tags, Search = Search, Filter = filter }, cancellationToken);
        _runs = runs;
        _specColumns = RunTable.DifferingSpecColumns(runs);
        if (!HasConditions)
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

    private void SetStatus(string? status) => Navigate(string.IsNullOrEmpty(status) ? null : status, Tags, Search, Filter);

    private void SetSearch(string? search) => Navigate(Status, Tags, search, Filter);

    private void SetFilter(string? filter) => Navigate(Status, Tags, Search, filter);

    private void AddTag(string? tag)
    {
        _newTag = null;
        if (!string.IsNullOrWhiteSpace(tag))
        {
            Navigate(Status, [.. Tags, tag.Trim()], Search, Filter);
        }
    }

    private void RemoveTag(string tag) => Navigate(Status, [.. Tags.Where(t => t != tag)], Search, Filter);

    private void Navigate(string? status, IReadOnlyList<string> tags, string? search, string? filter)
        => Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(QueryOf(status, tags, search, filter)));

    private static Dictionary<string, object?> QueryOf(string? status, IReadOnlyList<string> tags, string? search, string? filter) => new()
    {
        ["status"] = status,
        ["tag"] = tags.Distinct(StringComparer.Ordinal).ToArray(),
        ["q"] = string.IsNullOrWhiteSpace(search) ? null : search.Trim(),
        ["filter"] = string.IsNullOrWhiteSpace(filter) ? null : filter.Trim(),
    };

    private void Compare()
    {
        var ordered = _runs.Where(r => _selected.Contains(r.RunId)).Select(r => r.RunId)
            .Concat(_selected.Where(id => _runs.All(r => r.RunId != id)));
        Navigation.NavigateTo($"/compare?runs={string.Join(',', ordered)}");
    }
}
