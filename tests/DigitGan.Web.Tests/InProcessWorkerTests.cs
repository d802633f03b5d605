using System.Diagnostics;
using System.Net;
using DigitGan.Shared.Runs;
using Xunit;

namespace DigitGan.Web.Tests;

/// <summary>The embedded default end to end: the in-process Hangfire worker picks up, trains and cancels runs.</summary>
public sealed class InProcessWorkerTests(WorkerWebAppFactory factory) : IClassFixture<WorkerWebAppFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_submitted_run_is_picked_up_and_trained_to_success()
    {
        using var client = factory.CreateAuthorizedClient();
        var run = await factory.SubmitAsync(client, new { name = "worker", epochs = 1, batchSize = 128, trainSubset = 256, evaluateEvery = 0 });
        var done = await WaitAsync(client, run.RunId, m => m.IsFinished, TimeSpan.FromMinutes(3));
        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal(1, done.LatestCheckpointEpoch);
    }

    [Fact]
    public async Task Cancelling_a_running_run_stops_it_within_5_seconds_and_keeps_its_artifacts()
    {
        using var client = factory.CreateAuthorizedClient();
        var run = await factory.SubmitAsync(client, new { name = "long", epochs = 20, trainSubset = 6_000, evaluateEvery = 0 });
        await WaitAsync(client, run.RunId, m => m.Status == RunStatus.Running, TimeSpan.FromMinutes(3));
        await Task.Delay(TimeSpan.FromSeconds(3), Ct); // into the first epoch's steps

        var clock = Stopwatch.StartNew();
        using var cancel = await client.PostAsync($"/api/runs/{run.RunId}/cancel", null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var cancelled = await WaitAsync(client, run.RunId, m => m.IsFinished, TimeSpan.FromSeconds(30));
        var seconds = clock.Elapsed.TotalSeconds;
        Assert.Equal(RunStatus.Cancelled, cancelled.Status);
        Assert.True(seconds < 5, $"cancel took {seconds:F1} s");
        Assert.Contains("Cancelled on request", cancelled.Error, StringComparison.Ordinal);
    }

    private static async Task<RunManifest> WaitAsync(HttpClient client, Guid runId, Func<RunManifest, bool> done, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var manifest = await WebAppFactory.GetRunAsync(client, runId);
            if (done(manifest))
            {
                return manifest;
            }

            if (manifest.IsFinished)
            {
                throw new InvalidOperationException($"run {runId} ended {manifest.Status}: {manifest.Error}");
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"run {runId} is still {manifest.Status} after {timeout.TotalSeconds} s");
            }

            await Task.Delay(100, Ct);
        }
    }
}

public sealed class DashboardTests(ProductionWebAppFactory factory) : IClassFixture<ProductionWebAppFactory>
{
    [Fact]
    public async Task Outside_development_the_hangfire_dashboard_asks_for_the_api_key()
    {
        using var client = factory.CreateClient();
        using var anonymous = await client.GetAsync("/hangfire", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("Basic", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        var request = new HttpRequestMessage(HttpMethod.Get, "/hangfire");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("admin:test-api-key"u8.ToArray()));
        using var authorized = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);
    }
}
