using Xunit;
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
}
