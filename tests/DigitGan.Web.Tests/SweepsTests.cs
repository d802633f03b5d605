using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using DigitGan.Shared.Sweeps;
using DigitGan.Web.Security;
using DigitGan.Web.Services;
using Hangfire;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace DigitGan.Web.Tests;

/// <summary>The app with its sweep coordinator off: the tests drive it pass by pass.</summary>
public sealed class ManualSweepsWebAppFactory : WebAppFactory
{
    protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("DigitGan:Sweeps:CoordinatorEnabled", "false");
}

/// <summary>
/// The sweeps API and the coordinator on the local file store and SQLite queue, with the runs' progress written by
/// the test as a worker would write it (manifest and metrics.jsonl): submits, rung decisions, stops and restarts.
/// </summary>
public sealed class SweepsTests(ManualSweepsWebAppFactory factory) : IClassFixture<ManualSweepsWebAppFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static object GridSweep(string name) => new
    {
        name,
        @base = new { epochs = 2, batchSize = 32, trainSubset = 64, evaluationSamples = 100 },
        axes = new object[] { new { field = "learningRate", values = new[] { 1e-4, 2e-4 } }, new { field = "seed", values = new[] { 1, 2 } } },
        asha = new { reductionFactor = 2, minEpochs = 1 },
    };

    private SweepCoordinator Coordinator => ActivatorUtilities.CreateInstance<SweepCoordinator>(factory.Services);

    private RunRepository Runs => factory.Services.GetRequiredService<RunRepository>();

    private async Task<SweepManifest> CreateAsync(HttpClient client, object spec)
    {
        using var response = await client.PostAsJsonAsync("/api/sweeps", spec, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<SweepManifest>(ArtifactJson.Options, Ct))!;
    }

    private async Task<SweepManifest> GetAsync(HttpClient client, Guid id)
        => (await client.GetFromJsonAsync<SweepManifest>($"/api/sweeps/{id}", ArtifactJson.Options, Ct))!;

    [Fact]
    public async Task The_coordinator_submits_each_trial_once_stops_the_runs_below_the_cut_and_finishes_the_sweep()
    {
        using var client = factory.CreateAuthorizedClient();
        var sweep = await CreateAsync(client, GridSweep("asha-grid"));
        Assert.Equal(4, sweep.Trials.Count);

        await Coordinator.DriveAsync(sweep.SweepId, Ct);
        await Coordinator.DriveAsync(sweep.SweepId, Ct);
        var runs = await RunsOfAsync(sweep);
        Assert.Equal(sweep.Trials.Select(t => t.RunId), runs.Select(r => r.RunId));
        Assert.All(runs, r => Assert.Equal((RunStatus.Queued, sweep.SweepId), (r.Status, r.SweepId!.Value)));
        Assert.All(runs, r => Assert.Contains(SweepLayout.Tag(sweep.SweepId), r.Spec.Tags));
        Assert.Equal(4, (await client.GetFromJsonAsync<RunPage>($"/api/runs?tag={SweepLayout.Tag(sweep.SweepId)}", WebAppFactory.Json, Ct))!.Total);
        var jobs = runs.Select(r => r.JobId).ToList();

        // A crash between a submit and its record leaves the trial Pending: the next pass finds its run and enqueues nothing.
        await factory.Services.GetRequiredService<SweepRepository>().UpdateAsync(sweep.SweepId,
            s => s with { Trials = [.. s.Trials.Select(t => t.Index == 0 ? t with { State = SweepTrialState.Pending } : t)] }, Ct);
        await Coordinator.DriveAsync(sweep.SweepId, Ct);
        Assert.Equal(SweepTrialState.Submitted, (await GetAsync(client, sweep.SweepId)).Trials[0].State);
        Assert.Equal(jobs, (await RunsOfAsync(sweep)).Select(r => r.JobId));
        Assert.Equal(4, (await client.GetFromJsonAsync<RunPage>($"/api/runs?tag={SweepLayout.Tag(sweep.SweepId)}", WebAppFactory.Json, Ct))!.Total);

        // The runs reach rung 1 one by one, FIDs 30, 20, 40, 25: the first two go on, and then the two places are taken.
        double[] fids = [30, 20, 40, 25];
        for (var i = 0; i < 4; i++)
        {
            await ReachEpochAsync(runs[i].RunId, 1, fids[i]);
            await Coordinator.DriveAsync(sweep.SweepId, Ct);
        }

        var decided = await GetAsync(client, sweep.SweepId);
        Assert.Equal([SweepTrialState.Submitted, SweepTrialState.Submitted, SweepTrialState.Stopped, SweepTrialState.Stopped], decided.Trials.Select(t => t.State));
        Assert.Equal([true, true, false, false], decided.Trials.Select(t => Assert.Single(t.Rungs).Continued));
        Assert.Equal([30.0, 20.0, 40.0, 25.0], decided.Trials.Select(t => t.Rungs[0].Value!.Value));
        foreach (var stopped in runs.Skip(2))
        {
            var manifest = (await Runs.GetAsync(stopped.RunId, Ct))!;
            Assert.NotNull(manifest.CancelRequestedAt);
            Assert.Equal("stopped by sweep at epoch 1", manifest.CancelReason);
        }

        // Passes after the decisions change nothing: no second decision, no second cancel.
        await Coordinator.DriveAsync(sweep.SweepId, Ct);
        Assert.All((await GetAsync(client, sweep.SweepId)).Trials, t => Assert.Single(t.Rungs));

        // The workers end the runs: two succeed, the two stopped are cancelled with the sweep's reason.
        foreach (var run in runs.Take(2))
        {
            await ReachEpochAsync(run.RunId, 2, 15, RunStatus.Succeeded);
        }

        foreach (var run in runs.Skip(2))
        {
            await Runs.UpdateAsync(run.RunId, m => m with { Status = RunStatus.Cancelled, FinishedAt = DateTimeOffset.UtcNow, Error = m.CancelReason }, Ct);
        }

        await Coordinator.DriveAsync(sweep.SweepId, Ct);
        var finished = await GetAsync(client, sweep.SweepId);
        Assert.Equal(SweepStatus.Finished, finished.Status);
        Assert.NotNull(finished.FinishedAt);
        Assert.Equal([RunStatus.Succeeded, RunStatus.Succeeded, RunStatus.Cancelled, RunStatus.Cancelled], finished.Trials.Select(t => t.RunStatus!.Value));
        Assert.Equal([15.0, 15.0, 40.0, 25.0], finished.Trials.Select(t => t.Metric!.Value));
    }

    [Fact]
    public async Task Stopping_a_sweep_cancels_its_queued_runs_and_never_submits_the_rest()
    {
        using var client = factory.CreateAuthorizedClient();
        var sweep = await CreateAsync(client, GridSweep("to-stop"));
        await Coordinator.DriveAsync(sweep.SweepId, Ct);

        using var anonymous = factory.CreateClient();
        using var denied = await anonymous.PostAsync($"/api/sweeps/{sweep.SweepId}/stop", null, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.Equal(SweepStatus.Running, (await GetAsync(client, sweep.SweepId)).Status);

        using var stop = await client.PostAsync($"/api/sweeps/{sweep.SweepId}/stop", null, Ct);
        Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        var runs = await RunsOfAsync(sweep);
        Assert.All(runs, r => Assert.Equal((RunStatus.Cancelled, SweepService.StoppedWithSweep), (r.Status, r.Error)));

        await Coordinator.DriveAsync(sweep.SweepId, Ct);
        var stopped = await GetAsync(client, sweep.SweepId);
        Assert.Equal(SweepStatus.Stopped, stopped.Status);
        Assert.Equal("api-key", stopped.StoppedBy);

        using var missing = await client.PostAsync($"/api/sweeps/{Guid.CreateVersion7()}/stop", null, Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_sweep_stopped_before_its_first_pass_submits_nothing()
    {
        using var client = factory.CreateAuthorizedClient();
        var sweep = await CreateAsync(client, GridSweep("stopped-early"));
        using var stop = await client.PostAsync($"/api/sweeps/{sweep.SweepId}/stop", null, Ct);

        await Coordinator.DriveAsync(sweep.SweepId, Ct);

        var stopped = await GetAsync(client, sweep.SweepId);
        Assert.Equal(SweepStatus.Stopped, stopped.Status);
        Assert.All(stopped.Trials, t => Assert.Equal(SweepTrialState.Skipped, t.State));
        Assert.All(sweep.Trials, t => Assert.Null(Runs.GetAsync(t.RunId, Ct).GetAwaiter().GetResult()));
    }

    [Theory]
    [InlineData("""{"base":{"epochs":2},"axes":[{"field":"colour","values":[1]}]}""", "axes[0].field")]
    [InlineData("""{"base":{"epochs":2},"axes":[{"field":"learningRate","kind":"Uniform","min":"low","max":1}],"trials":2}""", "axes[0].min")]
    [InlineData("""{"base":{"epochs":"two"},"axes":[{"field":"seed","values":[1]}]}""", "base.epochs")]
    [InlineData("""{"base":{"epochs":2},"axes":[{"field":"seed","values":[1,2,3,4,5,6,7,8,9]},{"field":"beta1","values":[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]}]}""", "axes")]
    [InlineData("""{"base":{"epochs":4},"axes":[{"field":"seed","values":[1]}],"asha":{"metric":"Loss"}}""", "asha.metric")]
    [InlineData("""[1, 2]""", "body")]
    public async Task A_bad_sweep_is_a_400_naming_the_field_and_stores_nothing(string json, string field)
    {
        using var client = factory.CreateAuthorizedClient();
        var before = (await client.GetFromJsonAsync<List<SweepManifest>>("/api/sweeps", ArtifactJson.Options, Ct))!.Count;

        using var response = await client.PostAsync("/api/sweeps", new StringContent(json, System.Text.Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
        Assert.DoesNotContain("   at ", problem.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(before, (await client.GetFromJsonAsync<List<SweepManifest>>("/api/sweeps", ArtifactJson.Options, Ct))!.Count);
    }

    [Fact]
    public async Task A_sweep_spec_over_the_size_limit_is_a_413_read_no_further()
    {
        using var client = factory.CreateAuthorizedClient();
        var notes = new string('x', 200 * 1024);
        using var response = await client.PostAsJsonAsync("/api/sweeps", new { name = "big", @base = new { epochs = 2, notes }, axes = new[] { new { field = "seed", values = new[] { 1 } } } }, Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("128 KB", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sweep_service_the_pages_and_the_api_share_refuses_anonymous_and_viewer_writes()
    {
        using var client = factory.CreateAuthorizedClient();
        var sweep = await CreateAsync(client, GridSweep("service-checked"));
        var service = factory.Services.GetRequiredService<SweepService>();
        var spec = JsonSerializer.Deserialize<SweepSpec>(JsonSerializer.Serialize(GridSweep("never-made"), ArtifactJson.Options), ArtifactJson.Options)!;
        foreach (var (user, status) in new[] { (new ClaimsPrincipal(new ClaimsIdentity()), 401), (TestTokens.Principal("vera"), 403) })
        {
            Assert.Equal(status, (await Assert.ThrowsAsync<RunAccessDeniedException>(() => service.CreateAsync(spec, user, Ct))).StatusCode);
            Assert.Equal(status, (await Assert.ThrowsAsync<RunAccessDeniedException>(() => service.StopAsync(sweep.SweepId, user, Ct))).StatusCode);
        }

        var after = (await service.GetAsync(sweep.SweepId, Ct))!;
        Assert.Null(after.StopRequestedAt);
        Assert.DoesNotContain(await service.ListAsync(Ct), s => s.Spec.Name == "never-made");
    }

    [Fact]
    public async Task Creating_a_sweep_needs_an_operator()
    {
        using var client = factory.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/sweeps", GridSweep("anonymous"), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private async Task<List<RunManifest>> RunsOfAsync(SweepManifest sweep)
        => [.. await Task.WhenAll(sweep.Trials.Select(async t => (await Runs.GetAsync(t.RunId, Ct))!))];

    /// <summary>What a worker writes when the run has trained and scored an epoch.</summary>
    private async Task ReachEpochAsync(Guid runId, int epoch, double fid, RunStatus status = RunStatus.Running)
    {
        var evaluation = new EvaluationMetrics { Epoch = epoch, Samples = 100, Fid = fid, InceptionScore = 2 };
        await Runs.Store.AppendTextAsync(RunArtifactLayout.Metrics(runId), JsonSerializer.Serialize<MetricsRecord>(evaluation, ArtifactJson.Lines) + "\n", Ct);
        await Runs.UpdateAsync(runId, m => m with
        {
            Status = status,
            Progress = m.Progress with { Epoch = epoch },
            LatestEvaluation = evaluation,
            FinishedAt = status == RunStatus.Succeeded ? DateTimeOffset.UtcNow : null,
        }, Ct);
    }
}
