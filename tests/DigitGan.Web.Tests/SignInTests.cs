using System.Net;
using System.Net.Http.Json;
using DigitGan.Shared.Runs;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace DigitGan.Web.Tests;

/// <summary>The embedded default's sign-in: anonymous read, the key, the one-time link, rate limits, a quiet log.</summary>
public sealed class SignInTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Anonymous_visitors_browse_everything_and_every_write_is_refused_with_401()
    {
        using var factory = new WebAppFactory();
        using var operatorClient = factory.CreateAuthorizedClient();
        var run = await factory.SubmitAsync(operatorClient, new { name = "visible", epochs = 1 });
        using var client = factory.CreateClient(new() { AllowAutoRedirect = false });
        foreach (var path in new[] { "/runs", $"/runs/{run.RunId}", "/compare", "/api/runs", $"/api/runs/{run.RunId}", "/openapi/v1.json" })
        {
            Assert.Equal((path, HttpStatusCode.OK), (path, (await client.GetAsync(path, Ct)).StatusCode));
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/runs", new { name = "anonymous", epochs = 1 }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync($"/api/runs/{run.RunId}/cancel", null, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.DeleteAsync($"/api/runs/{run.RunId}", Ct)).StatusCode);
        var after = await WebAppFactory.GetRunAsync(operatorClient, run.RunId);
        Assert.Equal((RunStatus.Queued, null, "api-key"), (after.Status, after.CancelRequestedAt, after.CreatedBy));
        Assert.Single((await client.GetFromJsonAsync<RunPage>("/api/runs", WebAppFactory.Json, Ct))!.Runs);
    }

    [Fact]
    public async Task Wrong_keys_are_rate_limited_per_client_with_429_and_retry_after()
    {
        using var factory = new WebAppFactory();
        using var client = factory.CreateClient(new() { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add("X-Api-Key", "guess");
        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 12; attempt++)
        {
            using var response = await client.PostAsJsonAsync("/api/runs", new { name = "guess", epochs = 1 }, Ct);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 10), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);

        // The sign-in form shares the budget: even the right key waits now.
        using var browser = factory.CreateClient(new() { AllowAutoRedirect = false });
        using var signIn = await SignInForm.PostAsync(browser, WebAppFactory.Key);
        Assert.Equal(HttpStatusCode.TooManyRequests, signIn.StatusCode);
    }

    [Fact]
    public async Task A_wrong_key_in_the_sign_in_form_goes_back_to_the_form_and_the_right_one_signs_in()
    {
        using var factory = new WebAppFactory();
        using var client = factory.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        using var wrong = await SignInForm.PostAsync(client, "not-the-key", "/runs/new");
        Assert.StartsWith("/signin?failed=1", wrong.Headers.Location?.OriginalString, StringComparison.Ordinal);
        using var right = await SignInForm.PostAsync(client, WebAppFactory.Key, "https://evil.example/");
        Assert.Equal("/runs", right.Headers.Location?.OriginalString); // never an open redirect
        Assert.Contains("Start run", await client.GetStringAsync("/runs/new", Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_form_post_without_the_antiforgery_token_is_refused()
    {
        using var factory = new WebAppFactory();
        using var client = factory.CreateClient(new() { AllowAutoRedirect = false });
        using var response = await client.PostAsync("/auth/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = WebAppFactory.Key }), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies.Where(c => c.StartsWith("DigitGan.Session", StringComparison.Ordinal)) : []);
    }

    [Fact]
    public async Task The_start_log_says_where_the_key_is_and_its_fingerprint_never_the_key_and_prints_a_one_time_link()
    {
        var log = new CapturedLog();
        using var factory = new LoggingWebAppFactory(log);
        using var client = factory.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/runs", Ct)).StatusCode);

        var text = log.Text;
        Assert.DoesNotContain(WebAppFactory.Key, text, StringComparison.Ordinal);
        Assert.Contains("fingerprint sha256:", text, StringComparison.Ordinal);
        var link = System.Text.RegularExpressions.Regex.Match(text, @"/auth/link\?token=[0-9a-f]+").Value;
        Assert.NotEmpty(link);

        using var first = await client.GetAsync(link, Ct);
        Assert.Equal("/runs", first.Headers.Location?.OriginalString);
        Assert.Contains("Start run", await client.GetStringAsync("/runs/new", Ct), StringComparison.Ordinal);
        using var again = await factory.CreateClient(new() { AllowAutoRedirect = false }).GetAsync(link, Ct);
        Assert.Equal("/signin?expired=1", again.Headers.Location?.OriginalString);
    }

    /// <summary>Every log line the app writes.</summary>
    private sealed class CapturedLog : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

        public string Text => string.Join('\n', _lines);

        public ILogger CreateLogger(string categoryName) => new Logger(_lines);

        public void Dispose()
        {
        }

        private sealed class Logger(System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception) + exception);
        }
    }

    private sealed class LoggingWebAppFactory(CapturedLog log) : WebAppFactory
    {
        protected override void Configure(IWebHostBuilder builder) => builder.ConfigureServices(services => services.AddLogging(logging => logging.AddProvider(log)));
    }
}
