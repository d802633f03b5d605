using Xunit;
using System.Text.RegularExpressions;
using DigitGan.Testing;
using Microsoft.Playwright;

namespace DigitGan.EndToEnd.Tests;

/// <summary>The viewer's editing, runs table, compare and chart features in real Chromium.</summary>
public sealed partial class BrowserTests
{
    [Fact]
    public async Task An_edit_of_name_tags_and_notes_shows_after_a_reload()
    {
        var run = await app.SubmitAsync(EmbeddedAppFixture.TinySpec("to-edit", seed: 7));
        var page = await app.OpenAsync($"/runs/{run.RunId}", signIn: true);
        await page.ClickAsync("[data-testid=edit]");
        await page.FillAsync("#edit-name", "edited-in-browser");
        await page.FillAsync("#edit-tags", "browser, edited");
        await page.FillAsync("#edit-notes", "Notes written after submit.");
        await page.ClickAsync("[data-testid=edit-save]");
        await Assertions.Expect(page.Locator("[data-testid=edit-form]")).ToHaveCountAsync(0, new() { Timeout = 15_000 });

        await page.ReloadAsync();
        await page.WaitForSelectorAsync("#circuit-live", new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });
        await Assertions.Expect(page.Locator("h5")).ToHaveTextAsync("edited-in-browser");
        await Assertions.Expect(page.Locator("[data-testid=run-notes]")).ToHaveTextAsync("Notes written after submit.");
        await Assertions.Expect(page.Locator(".mud-chip").Filter(new() { HasText = "edited" })).ToHaveCountAsync(1);

        var stored = await RunsApiClient.GetAsync(app.Client, run.RunId);
        Assert.Equal(("edited-in-browser", "browser,edited"), (stored.Spec.Name, string.Join(',', stored.Spec.Tags)));
        Assert.Equal((run.Spec.Epochs, run.Spec.Seed), (stored.Spec.Epochs, stored.Spec.Seed));
    }

    [Fact]
    public async Task Search_and_a_filter_narrow_the_runs_table_and_survive_a_reload_and_csv_downloads_the_rows_shown()
    {
        var page = await app.OpenAsync("/runs");
        var names = page.Locator("[data-testid=run-name]");
        await page.FillAsync("#search", "tiny-");
        await page.PressAsync("#search", "Enter");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("q=tiny-"), new() { Timeout = 15_000 });
        await Assertions.Expect(names).ToHaveCountAsync(2);

        await page.FillAsync("#filter", "seed = 2 and epoch >= 2");
        await page.PressAsync("#filter", "Enter");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("filter=seed"), new() { Timeout = 15_000 });
        await Assertions.Expect(names).ToHaveCountAsync(1);
        await Assertions.Expect(names).ToHaveTextAsync("tiny-b");

        await page.ReloadAsync();
        await page.WaitForSelectorAsync("#circuit-live", new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });
        await Assertions.Expect(names).ToHaveCountAsync(1);
        await Assertions.Expect(names).ToHaveTextAsync("tiny-b");
        Assert.Equal("seed = 2 and epoch >= 2", await page.InputValueAsync("#filter"));
        Assert.Equal("tiny-", await page.InputValueAsync("#search"));

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=csv-export]").ClickAsync());
        var saved = Path.Combine(app.DataFolder, "runs.csv");
        await download.SaveAsAsync(saved);
        var lines = (await File.ReadAllTextAsync(saved)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"{app.RunB.RunId},tiny-b,", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(".csv", download.SuggestedFilename);

        // A filter that does not parse says where, and lists nothing.
        await page.FillAsync("#filter", "fid <");
        await page.PressAsync("#filter", "Enter");
        await Assertions.Expect(page.GetByText("Position 6: Expected a value after 'fid <'")).ToBeVisibleAsync();
        await Assertions.Expect(names).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Clicking_a_column_header_sorts_puts_the_sort_in_the_url_and_the_order_survives_a_reload()
    {
        var page = await app.OpenAsync("/runs?q=tiny-");
        var names = page.Locator("[data-testid=run-name]");
        await Assertions.Expect(names).ToHaveCountAsync(2);
        var nameHeader = page.Locator(".sortable-column-header").Filter(new() { HasTextRegex = new Regex("^Name$") });

        await nameHeader.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("sort=name"), new() { Timeout = 15_000 });
        await Assertions.Expect(names).ToHaveTextAsync(["tiny-a", "tiny-b"]);
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("#circuit-live", new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });
        await Assertions.Expect(names).ToHaveTextAsync(["tiny-a", "tiny-b"]);
        Assert.Contains("q=tiny-", page.Url);

        // The header built from the URL knows its direction: one more click sorts descending.
        await nameHeader.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("sort=-name"), new() { Timeout = 15_000 });
        await Assertions.Expect(names).ToHaveTextAsync(["tiny-b", "tiny-a"]);
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("#circuit-live", new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });
        await Assertions.Expect(names).ToHaveTextAsync(["tiny-b", "tiny-a"]);
    }

    [Fact]
    public async Task The_compare_metrics_table_honours_differences_only()
    {
        var page = await app.OpenAsync($"/compare?runs={app.RunA.RunId},{app.RunB.RunId}");
        var table = page.Locator("[data-testid=metrics-table]");
        await Assertions.Expect(table.Locator("tr[data-metric]")).Not.ToHaveCountAsync(0, new() { Timeout = 30_000 });
        var all = await table.Locator("tr[data-metric]").CountAsync();
        // Both runs trained 2 epochs on 100 evaluation samples: equal rows; their seeds differ, so their FIDs do too.
        await Assertions.Expect(table.Locator("tr[data-metric='Evaluation samples']")).ToHaveCountAsync(1);
        await Assertions.Expect(table.Locator("tr[data-metric='Epochs trained']")).ToHaveCountAsync(1);
        Assert.Equal(0, await page.Locator("[data-testid=compare-warning]").CountAsync());

        await table.GetByText("Differences only").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("diff=1"), new() { Timeout = 15_000 });
        await Assertions.Expect(table.Locator("tr[data-metric='Evaluation samples']")).ToHaveCountAsync(0);
        await Assertions.Expect(table.Locator("tr[data-metric='Epochs trained']")).ToHaveCountAsync(0);
        await Assertions.Expect(table.Locator("tr[data-metric='Final FID']")).ToHaveCountAsync(1);
        var shown = await table.Locator("tr[data-metric]").CountAsync();
        Assert.True(shown < all, $"{shown} of {all} rows shown with differences only");
        foreach (var row in await table.Locator("tr[data-metric]").AllAsync())
        {
            var cells = await row.Locator("td").AllInnerTextsAsync();
            Assert.NotEqual(cells[1], cells[2]);
        }
    }

    private const string Plot = "[data-testid=%s-plot]";

    private static Task WaitForPlotAsync(IPage page, string chart) => page.WaitForFunctionAsync(
        "sel => { const el = document.querySelector(sel); return !!(el && el._fullLayout && el.data && el.data.length > 0 && el.querySelector('.nsewdrag')); }",
        Plot.Replace("%s", chart, StringComparison.Ordinal), new() { Timeout = 30_000 });

    [Fact]
    public async Task Hovering_a_chart_point_shows_its_value_and_dragging_zooms_the_x_range()
    {
        var page = await app.OpenAsync($"/runs/{app.RunA.RunId}");
        await WaitForPlotAsync(page, "fid-chart");
        var selector = Plot.Replace("%s", "fid-chart", StringComparison.Ordinal);

        // The first FID point (epoch 1): its pixel position from plotly's own axes, then a real mouse move there.
        var point = await page.EvaluateAsync<double[]>(@"sel => {
            const el = document.querySelector(sel), l = el._fullLayout, box = el.querySelector('.nsewdrag').getBoundingClientRect();
            const x = el.data[0].x[0], y = el.data[0].y[0];
            return [box.left + l.xaxis.l2p(x), box.top + l.yaxis.l2p(y), y]; }", selector);
        await page.Mouse.MoveAsync((float)point[0], (float)point[1]);
        var hover = page.Locator($"{selector} .hoverlayer .hovertext");
        await Assertions.Expect(hover).ToHaveCountAsync(1);
        var text = await hover.TextContentAsync();
        Assert.Contains("epoch 1:", text, StringComparison.Ordinal);
        Assert.Contains(point[2].ToString("G4", System.Globalization.CultureInfo.InvariantCulture), text, StringComparison.Ordinal);

        // A box zoom over the middle of the plot narrows the x range from the whole run.
        var before = await page.EvaluateAsync<double[]>("sel => document.querySelector(sel)._fullLayout.xaxis.range.slice()", selector);
        var box = (await page.Locator($"{selector} .nsewdrag").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + (box.Width * 0.3f), box.Y + (box.Height * 0.3f));
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + (box.Width * 0.6f), box.Y + (box.Height * 0.7f), new() { Steps = 8 });
        await page.Mouse.UpAsync();
        await page.WaitForFunctionAsync("([sel, width]) => { const r = document.querySelector(sel)._fullLayout.xaxis.range; return r[1] - r[0] < width * 0.5; }",
            new object[] { selector, before[1] - before[0] });
        var after = await page.EvaluateAsync<double[]>("sel => document.querySelector(sel)._fullLayout.xaxis.range.slice()", selector);
        Assert.True(after[0] > before[0] && after[1] < before[1], $"x range {before[0]}..{before[1]} -> {after[0]}..{after[1]}");

        // FID's log scale: the switch redraws the y axis as logarithmic.
        await page.Locator("[data-testid=fid-chart]").GetByText("Log scale").ClickAsync();
        await page.WaitForFunctionAsync("sel => document.querySelector(sel)._fullLayout.yaxis.type === 'log'", selector);
    }

    [Fact]
    public async Task The_smoothing_slider_changes_the_drawn_line_not_the_data()
    {
        var page = await app.OpenAsync($"/runs/{app.RunA.RunId}?smoothing=0.3");
        await WaitForPlotAsync(page, "loss-chart");
        var selector = Plot.Replace("%s", "loss-chart", StringComparison.Ordinal);
        const string Trace = "([sel, name]) => JSON.stringify(document.querySelector(sel).data.find(t => t.name === name).y)";
        var raw = await page.EvaluateAsync<string>(Trace, new object[] { selector, "D loss (step)" });
        var smoothed = await page.EvaluateAsync<string>(Trace, new object[] { selector, "D loss (step, smoothed)" });
        var metrics = await app.Client.GetStringAsync($"/api/runs/{app.RunA.RunId}/metrics");

        await page.Locator("[data-testid=loss-chart-smoothing] input[type=range]").FocusAsync();
        await page.Keyboard.PressAsync("End");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("smoothing=0.99"), new() { Timeout = 15_000 });
        await page.WaitForFunctionAsync("([sel, name, before]) => JSON.stringify(document.querySelector(sel).data.find(t => t.name === name).y) !== before",
            new object[] { selector, "D loss (step, smoothed)", smoothed });

        Assert.Equal(raw, await page.EvaluateAsync<string>(Trace, new object[] { selector, "D loss (step)" }));
        Assert.Equal(metrics, await app.Client.GetStringAsync($"/api/runs/{app.RunA.RunId}/metrics"));
    }
}
