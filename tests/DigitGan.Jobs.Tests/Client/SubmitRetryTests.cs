using System.Diagnostics;
using System.Net;
using DigitGan.Jobs.Cli;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace DigitGan.Jobs.Tests.Client;

/// <summary>
/// `submit --wait` against a Kestrel server on 127.0.0.1 that answers what each test scripts: transient failures are
/// retried (502s, a 503 with Retry-After, a dropped connection), 400 and 401 are not, and a submit is never repeated
/// after an answer that may mean the run exists.
/// </summary>
public sealed class SubmitRetryTests
{
    private static readonly Guid RunId = Guid.CreateVersion7();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_502s_then_200_and_submit_wait_succeeds()
    {
        await using var server = await ScriptedServer.StartAsync((request, posts, gets) => request.Method == "POST" && posts <= 2 ? Status(502) : Answer(request));

        var (code, error) = await SubmitAsync(server);

        Assert.True(code == 0, error);
        Assert.Equal(3, server.Count("POST"));
        Assert.Contains("502 Bad Gateway; retry 1 of 6", error, StringComparison.Ordinal);
        Assert.Contains("502 Bad Gateway; retry 2 of 6", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_401_exits_2_at_once()
    {
        await using var server = await ScriptedServer.StartAsync((_, _, _) => Status(401));

        var (code, error) = await SubmitAsync(server);

        Assert.Equal(DigitGanCli.UsageError, code);
        Assert.Contains("refused the API key", error, StringComparison.Ordinal);
        Assert.Equal(1, server.Count("POST"));
        // "At once": no retry was scheduled (no wall-clock bound: the test machine may be busy with other suites).
        Assert.DoesNotContain("; retry ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_400_exits_2_at_once_naming_the_field()
    {
        await using var server = await ScriptedServer.StartAsync((_, _, _) => context =>
        {
            context.Response.StatusCode = 400;
            context.Response.ContentType = "application/problem+json";
            return context.Response.WriteAsync("{\"errors\":{\"epochs\":[\"Epochs must be between 1 and 500.\"]}}");
        });

        var (code, error) = await SubmitAsync(server);

        Assert.Equal(DigitGanCli.UsageError, code);
        Assert.Contains("Epochs must be between 1 and 500.", error, StringComparison.Ordinal);
        Assert.Equal(1, server.Count("POST"));
    }

    [Fact]
    public async Task A_submit_that_may_have_been_taken_is_not_repeated()
    {
        await using var server = await ScriptedServer.StartAsync((request, _, _) => request.Method == "POST" ? Status(500) : Answer(request));

        var (code, error) = await SubmitAsync(server);

        Assert.Equal(DigitGanCli.Failure, code);
        Assert.Contains("answered 500", error, StringComparison.Ordinal);
        Assert.Equal(1, server.Count("POST"));
    }

    [Fact]
    public async Task While_waiting_a_503_with_retry_after_waits_that_long_and_a_dropped_connection_is_retried()
    {
        await using var server = await ScriptedServer.StartAsync((request, _, gets) => (request.Method, gets) switch
        {
            ("GET", 1) => context =>
            {
                context.Response.Headers.RetryAfter = "3";
                context.Response.StatusCode = 503;
                return Task.CompletedTask;
            },
            ("GET", 2) => context =>
            {
                context.Abort();
                return Task.CompletedTask;
            },
            _ => Answer(request),
        });

        var (code, error) = await SubmitAsync(server);

        Assert.True(code == 0, error);
        Assert.Equal(3, server.Count("GET"));
        var gets = server.Times("GET");
        Assert.True(gets[1] - gets[0] >= TimeSpan.FromSeconds(2.9), $"the retry came {gets[1] - gets[0]} after the 503 with Retry-After: 3");
        Assert.Contains("503 Service Unavailable; retry 1 of 6 in 3.0 s", error, StringComparison.Ordinal);
    }

    private static Task<(int Code, string Error)> SubmitAsync(ScriptedServer server) => CliRunner.RunAsync(
        ["submit", "--url", server.Url, "--api-key", "key", "--wait", "--poll-seconds", "1", "--timeout-minutes", "2", "--name", "retry", "--epochs", "1"]);

    private static RequestDelegate Status(int code) => context =>
    {
        context.Response.StatusCode = code;
        return Task.CompletedTask;
    };

    /// <summary>The app's answer: the submitted run (201), then the run as Succeeded.</summary>
    private static RequestDelegate Answer(HttpRequest request) => context =>
    {
        var manifest = new RunManifest { RunId = RunId, Spec = new RunSpec { Name = "retry", Epochs = 1 }, Status = request.Method == "POST" ? RunStatus.Queued : RunStatus.Succeeded };
        context.Response.StatusCode = request.Method == "POST" ? 201 : 200;
        return context.Response.WriteAsJsonAsync(manifest, ArtifactJson.Options);
    };

    /// <summary>Kestrel on a free loopback port; the script picks each answer from the request and the count of POSTs and GETs so far (this one included).</summary>
    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly List<(string Method, TimeSpan At)> _requests = [];
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        private ScriptedServer(Func<HttpRequest, int, int, RequestDelegate> script)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            _app = builder.Build();
            _app.Run(context =>
            {
                int posts, gets;
                lock (_requests)
                {
                    _requests.Add((context.Request.Method, _clock.Elapsed));
                    posts = _requests.Count(r => r.Method == "POST");
                    gets = _requests.Count(r => r.Method == "GET");
                }

                return script(context.Request, posts, gets)(context);
            });
        }

        public string Url { get; private set; } = "";

        public static async Task<ScriptedServer> StartAsync(Func<HttpRequest, int, int, RequestDelegate> script)
        {
            var server = new ScriptedServer(script);
            await server._app.StartAsync(Ct);
            server.Url = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            return server;
        }

        public int Count(string method)
        {
            lock (_requests)
            {
                return _requests.Count(r => r.Method == method);
            }
        }

        public List<TimeSpan> Times(string method)
        {
            lock (_requests)
            {
                return [.. _requests.Where(r => r.Method == method).Select(r => r.At)];
            }
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
