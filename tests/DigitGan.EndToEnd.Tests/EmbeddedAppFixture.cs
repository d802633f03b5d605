using Xunit;
using DigitGan.Shared.Runs;
using DigitGan.Testing;
using Microsoft.Playwright;

namespace DigitGan.EndToEnd.Tests;

/// <summary>
/// The web app exactly as the README starts it (`dotnet DigitGan.Web.dll`, Production, the embedded default: a
/// file store in a temp data folder, in-memory queue, in-process worker) and a real headless Chromium driven by
/// Playwright. Two tiny runs are trained up front for the pages that need finished runs. The nightly client's
/// test submits to the same app.
/// </summary>
public sealed class EmbeddedAppFixture : IAsyncLifetime
{
    public const string Key = "browser-api-key";
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>A run that trains in seconds on a CPU: 2 epochs of 2 steps, 100 evaluation samples, a checkpoint per epoch.</summary>
    public static object TinySpec(string name, long seed) => new
    {
        name,
        epochs = 2,
        trainSubset = 512,
        batchSize = 256,
        evaluationSamples = 100,
        checkpointEvery = 1,
        seed,
        tags = new[] { "browser" },
    };

    public static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private ServiceProcess? _web;
    private IPlaywright? _playwright;

    public string DataFolder { get; } = Directory.CreateTempSubdirectory("digitgan-browser-").FullName;

    public string BaseUrl { get; private set; } = "";

    public HttpClient Client { get; private set; } = default!;

    public IBrowser Browser { get; private set; } = default!;

    public RunManifest RunA { get; private set; } = default!;

    public RunManifest RunB { get; private set; } = default!;

    public string StorePath(string artifact) => Path.Combine(DataFolder, "store", artifact);

    public async ValueTask InitializeAsync()
    {
        var port = Ports.Free();
        BaseUrl = $"http://127.0.0.1:{port}";
        _web = ServiceProcess.StartDotnet("src/Web/bin/Release/net10.0/DigitGan.Web.dll", [],
        [
            ("DIGITGAN_DATA", DataFolder),
            ("DigitGan__ApiKey", Key),
            ("ASPNETCORE_URLS", BaseUrl),
            ("ASPNETCORE_ENVIRONMENT", "Production"),
        ]);
        Ports.WaitUntilListening(port, TimeSpan.FromSeconds(90), () => _web.HasExited ? $"the web app exited: {_web.Output}" : null);
        Client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        Client.DefaultRequestHeaders.Add("X-Api-Key", Key);

        RunA = await SubmitAsync(TinySpec("tiny-a", seed: 1));
        RunB = await SubmitAsync(TinySpec("tiny-b", seed: 2));
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ChromiumArgs });
        RunA = await WaitForAsync(RunA.RunId, RunStatus.Succeeded, TimeSpan.FromMinutes(5));
        RunB = await WaitForAsync(RunB.RunId, RunStatus.Succeeded, TimeSpan.FromMinutes(5));
    }

    public Task<RunManifest> SubmitAsync(object spec) => RunsApiClient.SubmitAsync(Client, spec);

    public Task<RunManifest> WaitForAsync(Guid runId, RunStatus status, TimeSpan timeout) =>
        RunsApiClient.WaitAsync(Client, runId, m => m.Status == status, timeout, () => $"web output:\n{_web?.Output}");

    /// <summary>Keeps a screenshot of the page in artifacts/screenshots/ (CI uploads them with the test results).</summary>
    public static async Task SaveScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(RepoPaths.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    /// <summary>
    /// A new page at <paramref name="path"/> once the Blazor circuit is connected (events reach the server); an
    /// operator's when <paramref name="signIn"/> (signed in with the key through the sign-in form first).
    /// </summary>
    public Task<IPage> OpenAsync(string path, int width = 1280, int height = 900, bool signIn = false) =>
        OpenPageAsync(Browser, BaseUrl, path, signIn ? Key : null, width, height);

    public static async Task<IPage> OpenPageAsync(IBrowser browser, string baseUrl, string path, string? key, int width = 1280, int height = 900)
    {
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height }, AcceptDownloads = true });
        var page = await context.NewPageAsync();
        if (key is not null)
        {
            await SignInAsync(page, baseUrl, key, path);
        }
        else
        {
            await page.GotoAsync(baseUrl + path);
        }

        await page.WaitForSelectorAsync("#circuit-live", new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });
        return page;
    }

    /// <summary>Signs in through the sign-in page's form with the key, landing on <paramref name="returnPath"/>.</summary>
    public static async Task SignInAsync(IPage page, string baseUrl, string key, string returnPath)
    {
        await page.GotoAsync($"{baseUrl}/signin?returnUrl={Uri.EscapeDataString(returnPath)}");
        await page.FillAsync("#key", key);
        await page.ClickAsync("[data-testid=signin-submit]");
        await page.WaitForURLAsync(baseUrl + returnPath, new() { Timeout = 30_000 });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Client?.Dispose();
        _web?.Dispose();
        try
        {
            Directory.Delete(DataFolder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
