using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;

namespace DigitGan.EndToEnd.Tests;

/// <summary>The app with anonymous read off (as on Azure), in real Chromium: sign in with the key, work, sign out.</summary>
public sealed partial class SignInBrowserTests
{
    [Fact]
    public async Task With_anonymous_read_off_pages_need_sign_in_and_an_operator_submits_cancels_deletes_and_signs_out()
    {
        using var app = new LocalWorkerApp(("DigitGan__Auth__AnonymousRead", "false"));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = EmbeddedAppFixture.Chromium, Headless = true, Args = EmbeddedAppFixture.ChromiumArgs });
        var page = await browser.NewPageAsync();
        foreach (var path in new[] { "/runs", "/runs/new", "/compare" })
        {
            await page.GotoAsync(app.BaseUrl + path);
            Assert.Contains("/signin", page.Url, StringComparison.Ordinal);
        }

        await EmbeddedAppFixture.SignInAsync(page, app.BaseUrl, LocalWorkerApp.Key, "/runs/new");
        await page.WaitForSelectorAsync("#circuit-live", new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });
        await Assertions.Expect(page.Locator("[data-testid=user-name]")).ToContainTextAsync("operator");
        await page.FillAsync("#name", "signed-in");
        await page.FillAsync("#epochs", "20");
        await page.FillAsync("#trainSubset", "6000");
        await page.FillAsync("#evaluateEvery", "0");
        await page.ClickAsync("[data-testid=submit]");
        await Assertions.Expect(page).ToHaveURLAsync(RunUrl(), new() { Timeout = 30_000 });
        var runId = Guid.Parse(RunUrl().Match(page.Url).Groups[1].Value);
        await page.Locator(".status-chip").Filter(new() { HasText = "Running" }).WaitForAsync(new() { Timeout = 120_000 });

        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel run" }).ClickAsync();
        await page.Locator(".status-chip").Filter(new() { HasText = "Cancelled" }).WaitForAsync(new() { Timeout = 60_000 });
        Assert.Equal("operator (API key)", (await app.WaitAsync(runId, m => m.IsFinished, TimeSpan.FromSeconds(10))).CancelledBy);

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/runs$"), new() { Timeout = 30_000 });
        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.GetAsync($"/api/runs/{runId}")).StatusCode);

        await page.ClickAsync("[data-testid=sign-out]");
        await page.WaitForURLAsync(new Regex("/signin"), new() { Timeout = 30_000 });
        await page.GotoAsync(app.BaseUrl + "/runs");
        Assert.Contains("/signin", page.Url, StringComparison.Ordinal);
    }

    [GeneratedRegex("/runs/([0-9a-f-]{36})$")]
    private static partial Regex RunUrl();
}
