using System.Text.RegularExpressions;
using DigitGan.Shared.Runs;
using DigitGan.Testing;
using Microsoft.Playwright;
using Xunit;

namespace DigitGan.EndToEnd.Tests;

/// <summary>Sweeps in real Chromium against the app run the way the README runs it (its local worker trains the runs).</summary>
public sealed partial class SweepBrowserTests(EmbeddedAppFixture app) : IClassFixture<EmbeddedAppFixture>
{
    [Fact]
    public async Task Create_a_sweep_from_the_form_watch_the_matrix_fill_move_its_epoch_and_compare_the_best_two()
    {
        var page = await app.OpenAsync("/sweeps", signIn: true);
        await page.ClickAsync("[data-testid=new-sweep]");
        await page.WaitForSelectorAsync("[data-testid=sweep-form]");
        await page.FillAsync("#sweep-name", "from-the-sweep-form");
        await page.FillAsync("#axis-0-values", "0.0001, 0.0003");
        await page.FillAsync("#axis-1-values", "4");
        await page.GetByText("Stop the weaker runs early").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=rungs]")).ToHaveCountAsync(0);
        await page.FillAsync("#epochs", "2");
        await page.FillAsync("#batchSize", "256");
        await page.FillAsync("#trainSubset", "512");
        await page.FillAsync("#evaluationSamples", "100");
        await page.FillAsync("#checkpointEvery", "1");
        await Assertions.Expect(page.Locator("[data-testid=create-sweep]")).ToContainTextAsync("2 runs");
        await page.ClickAsync("[data-testid=create-sweep]");
        await Assertions.Expect(page).ToHaveURLAsync(SweepUrl(), new() { Timeout = 30_000 });

        // The coordinator submits both runs and the local worker trains them: the matrix fills in without a reload.
        await page.EvaluateAsync("() => window.__sameDocument = true");
        var images = page.Locator("[data-testid=matrix-image]");
        await Assertions.Expect(images).ToHaveCountAsync(2, new() { Timeout = 240_000 });
        await Assertions.Expect(page.Locator("[data-testid=matrix-epoch]")).ToHaveTextAsync("2", new() { Timeout = 240_000 });
        await Assertions.Expect(page.Locator("[data-testid=sweep-status]")).ToHaveTextAsync("Finished", new() { Timeout = 240_000 });
        await Assertions.Expect(page.Locator("[data-testid=count-finished]")).ToHaveTextAsync("finished 2");
        Assert.All(await images.EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('src'))"), src => Assert.EndsWith("/samples/2.png", src));
        Assert.All(await page.Locator("[data-testid=matrix-cell]").EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('data-metric'))"), metric => Assert.NotEmpty(metric));
        await Assertions.Expect(page.Locator("[data-testid=scatter-learningRate-points] li")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("[data-testid=best-run]")).ToContainTextAsync("Best run so far: from-the-sweep-form-0");

        // The epoch slider moves every cell to that epoch.
        await page.Locator("[data-testid=epoch-slider] input[type=range]").FocusAsync();
        await page.Keyboard.PressAsync("ArrowLeft");
        await Assertions.Expect(page.Locator("[data-testid=matrix-epoch]")).ToHaveTextAsync("1");
        await Assertions.Expect(images.First).ToHaveAttributeAsync("src", new Regex("/samples/1\\.png$"));
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"));
        await EmbeddedAppFixture.SaveScreenshotAsync(page, "sweep-page");

        // compare best 2 opens the compare page with both runs.
        var trials = await page.Locator("[data-testid=matrix-cell]").EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('data-run'))");
        await page.GetByText("compare best 2").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/compare\\?runs="), new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("[data-testid=compare-grid]")).ToHaveCountAsync(2, new() { Timeout = 30_000 });
        var compared = Regex.Match(page.Url, "runs=([^&]+)").Groups[1].Value.Replace("%2C", ",", StringComparison.OrdinalIgnoreCase).Split(',');
        Assert.Equal(trials.Order(), compared.Order());

        var runs = await Task.WhenAll(trials.Select(id => RunsApiClient.GetAsync(app.Client, Guid.Parse(id))));
        Assert.All(runs, run => Assert.Equal((RunStatus.Succeeded, 2, 512), (run.Status, run.Spec.Epochs, run.Spec.TrainSubset)));
        Assert.Equal([1e-4, 3e-4], runs.Select(r => r.Spec.LearningRate).Order());
    }

    [Fact]
    public async Task The_app_bar_links_to_the_sweeps_and_a_visitor_sees_no_stop_button()
    {
        var page = await app.OpenAsync("/runs");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sweeps" }).First.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/sweeps$"));
        await page.GotoAsync(app.BaseUrl + "/sweeps/new");
        await Assertions.Expect(page.Locator("[data-testid=sign-in-prompt]")).ToContainTextAsync("Sign in to start sweeps");
        Assert.Equal(0, await page.Locator("[data-testid=create-sweep]").CountAsync());
    }

    [GeneratedRegex("/sweeps/([0-9a-f-]{36})$")]
    private static partial Regex SweepUrl();
}
