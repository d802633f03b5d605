using Xunit;
using System.Text.RegularExpressions;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using DigitGan.Testing;
using Microsoft.Playwright;

namespace DigitGan.EndToEnd.Tests;

/// <summary>The viewer in real Chromium against the app run the way the README runs it.</summary>
public sealed partial class BrowserTests(EmbeddedAppFixture app) : IClassFixture<EmbeddedAppFixture>
{
    [Fact]
    public async Task Submit_a_small_run_from_the_form_and_watch_it_succeed_without_a_reload()
    {
        var page = await app.OpenAsync("/runs/new", signIn: true);
        await page.FillAsync("#name", "from-the-form");
        await page.FillAsync("#epochs", "2");
        await page.FillAsync("#trainSubset", "512");
        await page.FillAsync("#evaluationSamples", "100");
        await page.FillAsync("#checkpointEvery", "1");
        await page.ClickAsync("[data-testid=submit]");
        // Blazor navigates with the History API (no page load), so poll the URL rather than wait for a navigation.
        await Assertions.Expect(page).ToHaveURLAsync(RunUrl(), new() { Timeout = 30_000 });

        // A reload would drop this marker: the page must reach Succeeded through its own live updates.
        await page.EvaluateAsync("() => window.__sameDocument = true");
        await page.Locator(".status-chip").Filter(new() { HasText = "Succeeded" }).WaitForAsync(new() { Timeout = 240_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"));
        Assert.EndsWith("/samples/2.png", await page.GetAttributeAsync("[data-testid=sample-grid]", "src"));

        var runId = Guid.Parse(RunUrl().Match(page.Url).Groups[1].Value);
        var run = await app.WaitForAsync(runId, RunStatus.Succeeded, TimeSpan.FromSeconds(10));
        Assert.Equal(("from-the-form", 2, 512), (run.Spec.Name, run.Spec.Epochs, run.Spec.TrainSubset));
        await EmbeddedAppFixture.SaveScreenshotAsync(page, "run-page");
    }

    [Fact]
    public async Task An_anonymous_visitor_browses_runs_and_the_server_refuses_every_write_they_try()
    {
        var page = await app.OpenAsync($"/runs/{app.RunA.RunId}");
        await Assertions.Expect(page.Locator("[data-testid=sign-in-prompt]")).ToContainTextAsync("Sign in to change this run");
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "Delete" }).CountAsync());
        await page.GotoAsync(app.BaseUrl + "/runs/new");
        await Assertions.Expect(page.Locator("[data-testid=sign-in-prompt]")).ToContainTextAsync("Sign in to start runs");
        Assert.Equal(0, await page.Locator("[data-testid=submit]").CountAsync());

        // The same requests the pages' handlers would make, sent from the visitor's browser: the server says no.
        var statuses = await page.EvaluateAsync<int[]>(@"async (id) => Promise.all([
            fetch('/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'anonymous', epochs: 1 }) }),
            fetch(`/api/runs/${id}/cancel`, { method: 'POST' }),
            fetch(`/api/runs/${id}`, { method: 'DELETE' }),
        ].map(p => p)).then(rs => rs.map(r => r.status))", app.RunA.RunId.ToString());
        Assert.Equal([401, 401, 401], statuses);
        Assert.Equal(RunStatus.Succeeded, (await RunsApiClient.GetAsync(app.Client, app.RunA.RunId)).Status);
    }

    [Fact]
    public async Task Moving_the_epoch_slider_changes_the_grid()
    {
        var page = await app.OpenAsync($"/runs/{app.RunA.RunId}");
        var grid = page.Locator("[data-testid=sample-grid]");
        Assert.EndsWith("/samples/2.png", await grid.GetAttributeAsync("src"));
        var before = await grid.ScreenshotAsync();

        await page.Locator("[data-testid=epoch-slider]").FocusAsync();
        await page.Keyboard.PressAsync("ArrowLeft");
        await Assertions.Expect(grid).ToHaveAttributeAsync("src", new Regex("/samples/1\\.png$"));
        await page.WaitForFunctionAsync("() => { const img = document.querySelector('[data-testid=sample-grid]'); return img.complete && img.naturalWidth === 458; }");
        var after = await grid.ScreenshotAsync();
        Assert.NotEqual(before, after);
    }

    [Fact]
    public async Task Downloading_a_checkpoint_gives_the_stored_bytes()
    {
        var page = await app.OpenAsync($"/runs/{app.RunA.RunId}");
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-checkpoint=latest] [data-testid=download]").ClickAsync());
        var saved = Path.Combine(app.DataFolder, "downloaded.ckpt");
        await download.SaveAsAsync(saved);
        var stored = await File.ReadAllBytesAsync(app.StorePath(RunArtifactLayout.LatestCheckpoint(app.RunA.RunId)));
        Assert.True(stored.Length > 1000);
        Assert.Equal(stored, await File.ReadAllBytesAsync(saved));
        Assert.EndsWith(".ckpt", download.SuggestedFilename);
    }

    [Fact]
    public async Task Compare_two_runs_and_pick_a_cell()
    {
        var page = await app.OpenAsync($"/compare?runs={app.RunA.RunId},{app.RunB.RunId}");
        // The live circuit loads the runs again after the prerender: wait for its render, not the first DOM.
        await Assertions.Expect(page.Locator("[data-testid=compare-grid]")).ToHaveCountAsync(2);
        await page.ClickAsync("[data-cell='5']");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("cell=5"), new() { Timeout = 30_000 });
        var cells = page.Locator("[data-testid=cell-strip] img");
        await Assertions.Expect(cells).ToHaveCountAsync(4);
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('[data-testid=cell-strip] img')].every(i => i.complete && i.naturalWidth === 28)");
        Assert.Contains("/cells/5.png", await cells.First.GetAttributeAsync("src"));

        // The link holds the state: opening it again shows the same cell.
        var shared = await app.OpenAsync(new Uri(page.Url).PathAndQuery);
        await Assertions.Expect(shared.Locator("[data-testid=cell-strip] img")).ToHaveCountAsync(4);
        await EmbeddedAppFixture.SaveScreenshotAsync(shared, "compare-page");
    }

    [Theory]
    [InlineData("/runs")]
    [InlineData("/runs/new")]
    [InlineData("/run-page")]
    [InlineData("/compare-page")]
    public async Task At_390_px_the_page_does_not_scroll_sideways(string path)
    {
        path = path switch
        {
            "/run-page" => $"/runs/{app.RunA.RunId}",
            "/compare-page" => $"/compare?runs={app.RunA.RunId},{app.RunB.RunId}&cell=3",
            _ => path,
        };
        var page = await app.OpenAsync(path, width: 390, height: 844);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var (scroll, client) = (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("() => document.documentElement.clientWidth"));
        Assert.True(scroll <= client, $"{path}: the page is {scroll} px wide in a {client} px window");
        await EmbeddedAppFixture.SaveScreenshotAsync(page, "390px" + path.Split('?')[0].Replace('/', '-'));
    }

    [Fact]
    public async Task MudBlazor_css_and_js_load()
    {
        var page = await app.OpenAsync("/runs");
        var css = await page.GetAttributeAsync("link[href*='MudBlazor']", "href");
        var js = await page.GetAttributeAsync("script[src*='MudBlazor']", "src");
        foreach (var asset in new[] { css!, js! })
        {
            using var response = await app.Client.GetAsync("/" + asset.TrimStart('/'));
            Assert.True(response.IsSuccessStatusCode, $"{asset}: {(int)response.StatusCode}");
            Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 10_000, asset);
        }

        // The stylesheet is applied (the app bar is fixed) and the script is loaded (MudBlazor's JS objects exist).
        Assert.Equal("fixed", await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('.mud-appbar')).position"));
        Assert.True(await page.EvaluateAsync<bool>("() => typeof window.mudElementRef === 'object' || typeof window.mudPopover === 'object' || typeof window.MudBlazor === 'object' || Object.keys(window).some(k => k.startsWith('mud'))"));
    }

    [GeneratedRegex("/runs/([0-9a-f-]{36})$")]
    private static partial Regex RunUrl();
}
