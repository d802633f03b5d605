using DigitGan.Shared.Runs;
using DigitGan.Web.Components.Runs;
using DigitGan.Web.Services;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace DigitGan.Web.Components.Pages.Runs;

/// <summary>
/// All runs, newest first, live, narrowed by status, tags, a name search and a filter expression, sorted by any
/// columns and paged (all in the URL, so a reload or a shared link shows the same sorted page); columns for the
/// summary metrics and the spec fields that differ between the listed runs; CSV of the rows listed; pick 2-6 to compare.
/// </summary>
public partial class RunsPage
{
    public const int MaxCompare = 6;

    public const int DefaultPageSize = 25;

    private static readonly int[] PageSizes = [DefaultPageSize, 50, 100];

    /// <summary>
    /// The sortable columns other than the spec fields: the name in the URL (?sort=bestFid,-createdAt), the name the
    /// grid files the sort under (a property column's property) and the value sorted by. A spec field sorts under its JSON name.
    /// </summary>
    private static readonly (string Url, string Grid, Func<RunSummary, object> Value)[] FixedSorts =
    [
        ("name", nameof(RunSummary.Name), r => r.Name),
        ("status", nameof(RunSummary.Status), r => r.Status),
        ("epoch", nameof(RunSummary.Epoch), r => r.Epoch),
        ("dLoss", nameof(RunSummary.LastDLoss), r => r.LastDLoss!),
        ("gLoss", nameof(RunSummary.LastGLoss), r => r.LastGLoss!),
        ("fid", nameof(RunSummary.LatestFid), r => r.LatestFid!),
        ("bestFid", nameof(RunSummary.BestFid), r => r.BestFid!),
        ("is", nameof(RunSummary.LatestInceptionScore), r => r.LatestInceptionScore!),
        ("classes", nameof(RunSummary.LatestClasses), r => r.LatestClasses!),
        ("minutes", nameof(RunSummary.TrainingSeconds), r => r.TrainingSeconds),
        ("imagesPerSecond", nameof(RunSummary.ImagesPerSecond), r => r.ImagesPerSecond),
        ("createdAt", nameof(RunSummary.CreatedAt), r => r.CreatedAt),
        ("finishedAt", nameof(RunSummary.FinishedAt), r => r.FinishedAt!),
    ];

    private readonly HashSet<Guid> _selected = [];
    private IReadOnlyList<RunSummary> _runs = [];
    private IReadOnlyList<RunTableColumn> _specColumns = [];
    private string? _filterError;
    private string? _newTag;

    // The sort and page as the URL states them. The grid keeps its own sort once built; a URL with another sort than
    // the grid's (a link, the Nightly button) builds the grid afresh (_gridVersion is its @key).
    private string _sortKey = "";
    private int _gridVersion;
    private int _settledGridVersion = -1;
    private Dictionary<string, SortDefinition<RunSummary>> _sortDefinitions = [];
    private int _page;
    private int _pageSize = DefaultPageSize;

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

    /// <summary>Columns to sort by, comma-separated, first sorts first; a leading '-' sorts descending (?sort=bestFid,-createdAt). Unknown names are ignored.</summary>
    [SupplyParameterFromQuery(Name = "sort")]
    public string? Sort { get; set; }

    /// <summary>The page of the table shown, from 1.</summary>
    [SupplyParameterFromQuery(Name = "page")]
    public string? PageNumber { get; set; }

    /// <summary>Rows a page: 25, 50 or 100.</summary>
    [SupplyParameterFromQuery(Name = "size")]
    public string? PageSize { get; set; }

    private IReadOnlyList<string> Tags => [.. (TagValues ?? []).Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).Distinct(StringComparer.Ordinal)];

    private bool HasConditions => Status is not null || Tags.Count > 0 || !string.IsNullOrWhiteSpace(Search) || !string.IsNullOrWhiteSpace(Filter);

    private bool CanCompare => _selected.Count is >= 2 and <= MaxCompare;

    private bool IsNightlyView => Tags.Contains(NightlyTimeline.Tag, StringComparer.OrdinalIgnoreCase);

    /// <summary>GET /api/runs/csv with this page's conditions: the rows listed, as CSV.</summary>
    private string CsvHref => "/api/runs/csv" + new Uri(Navigation.GetUriWithQueryParameters(QueryOf(Status, Tags, Search, Filter))).Query;

    protected override Task OnParametersSetAsync()
    {
        var sorts = ParseSort(Sort);
        var key = SortText(sorts);
        if (key != _sortKey)
        {
            _sortKey = key;
            _gridVersion++;
            _sortDefinitions = sorts.Select((sort, index) => new SortDefinition<RunSummary>(sort.Grid, sort.Descending, index, sort.Value, null))
                .ToDictionary(d => d.SortBy, StringComparer.Ordinal);
        }

        _page = int.TryParse(PageNumber, NumberStyles.None, CultureInfo.InvariantCulture, out var page) && page > 1 ? page - 1 : 0;
        _pageSize = int.TryParse(PageSize, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && PageSizes.Contains(size) ? size : DefaultPageSize;
        return base.OnParametersSetAsync();
    }

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

    // Other rows: back to the first page.
    private void Navigate(string? status, IReadOnlyList<string> tags, string? search, string? filter)
        => Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>(QueryOf(status, tags, search, filter)) { ["page"] = null }));

    /// <summary>The direction the table sorts the column named <paramref name="url"/> in, for its header when the grid is built.</summary>
    private SortDirection InitialDirection(string url)
        => _sortDefinitions.TryGetValue(FixedSorts.FirstOrDefault(f => f.Url == url).Grid ?? url, out var sort)
            ? sort.Descending ? SortDirection.Descending : SortDirection.Ascending
            : SortDirection.None;

    private Task SortChanged(Dictionary<string, SortDefinition<RunSummary>> definitions)
    {
        _sortDefinitions = definitions;
        var sorts = definitions.Values.OrderBy(d => d.Index)
            .Select(d => (Url: UrlNameOf(d.SortBy), d.Descending))
            .Where(s => s.Url is not null)
            .Select(s => (s.Descending ? "-" : "") + s.Url);
        ReplaceTableState(string.Join(',', sorts), _page, _pageSize);
        return Task.CompletedTask;
    }

    protected override void OnAfterRender(bool firstRender)
    {
        base.OnAfterRender(firstRender);
        if (Loaded)
        {
            _settledGridVersion = _gridVersion;
        }
    }

    // While a grid is being built it reports the first page as it takes its page size; that is not the user's doing.
    private Task PageChanged(int page)
    {
        if (_settledGridVersion == _gridVersion)
        {
            ReplaceTableState(_sortKey, page, _pageSize);
        }

        return Task.CompletedTask;
    }

    private Task PageSizeChanged(int size)
    {
        if (_settledGridVersion == _gridVersion)
        {
            ReplaceTableState(_sortKey, 0, size);
        }

        return Task.CompletedTask;
    }

    /// <summary>Puts the table's sort, page and page size in the URL in place of the current entry (no history step per click).</summary>
    private void ReplaceTableState(string sort, int page, int size)
    {
        if (sort == _sortKey && page == _page && size == _pageSize)
        {
            return;
        }

        (_sortKey, _page, _pageSize) = (sort, page, size);
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
        {
            ["sort"] = sort.Length > 0 ? sort : null,
            ["page"] = page > 0 ? page + 1 : null,
            ["size"] = size != DefaultPageSize ? size : null,
        }), replace: true);
    }

    /// <summary>The known sorts in <paramref name="sort"/>, first first, each column once.</summary>
    private static List<(string Url, string Grid, bool Descending, Func<RunSummary, object> Value)> ParseSort(string? sort)
    {
        var sorts = new List<(string Url, string Grid, bool Descending, Func<RunSummary, object> Value)>();
        foreach (var part in (sort ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var descending = part.StartsWith('-');
            var name = part.TrimStart('-', '+');
            if (FixedSorts.FirstOrDefault(f => string.Equals(f.Url, name, StringComparison.OrdinalIgnoreCase)) is { Url: not null } known)
            {
                if (sorts.All(s => s.Url != known.Url))
                {
                    sorts.Add((known.Url, known.Grid, descending, known.Value));
                }
            }
            else if (RunTable.SpecColumn(name) is { } column && sorts.All(s => s.Url != column.Key))
            {
                sorts.Add((column.Key, column.Key, descending, r => column.SortValue(r)!));
            }
        }

        return sorts;
    }

    private static string SortText(IEnumerable<(string Url, string Grid, bool Descending, Func<RunSummary, object> Value)> sorts)
        => string.Join(',', sorts.Select(s => (s.Descending ? "-" : "") + s.Url));

    private static string? UrlNameOf(string grid)
        => FixedSorts.FirstOrDefault(f => f.Grid == grid).Url ?? RunTable.SpecColumn(grid)?.Key;

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
