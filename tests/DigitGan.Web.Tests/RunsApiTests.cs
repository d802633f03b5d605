using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DigitGan.Jobs.Training;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Datasets;
using DigitGan.Shared.Hosting;
using DigitGan.Shared.Jobs;
using DigitGan.Shared.Runs;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DigitGan.Web.Tests;

/// <summary>The runs REST API on the embedded default, with the in-process worker off (jobs are run by the tests).</summary>
public sealed class RunsApiTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    private static readonly object TinySpec = new { name = "tiny", tags = new[] { "api-test" }, epochs = 2, batchSize = 128, trainSubset = 256, evaluateEvery = 0, checkpointEvery = 1 };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("POST", "/api/runs")]
    [InlineData("POST", "/api/runs/01a21556-9d2d-719d-a64f-7df72e0e1eeb/cancel")]
    [InlineData("DELETE", "/api/runs/01a21556-9d2d-719d-a64f-7df72e0e1eeb")]
    public async Task Write_endpoints_need_the_api_key(string method, string path)
    {
        using var client = factory.CreateClient();
        using var anonymous = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(TinySpec) }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("X-Api-Key", await anonymous.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        var wrong = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(TinySpec) };
        wrong.Headers.Add("X-Api-Key", "not-the-key");
        using var rejected = await client.SendAsync(wrong, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
        Assert.Contains("does not match", await rejected.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_spec_is_a_400_naming_each_bad_field_and_stores_nothing()
    {
        using var client = factory.CreateAuthorizedClient();
        var before = (await client.GetFromJsonAsync<RunPage>("/api/runs?pageSize=200", WebAppFactory.Json, Ct))!.Total;
        using var response = await client.PostAsJsonAsync("/api/runs", new { epochs = 0, batchSize = 1, learningRate = -1, noiseDim = 2000, tags = new[] { "bad tag" } }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var errors = problem.RootElement.GetProperty("errors");
        Assert.Equal(["batchSize", "epochs", "learningRate", "noiseDim", "tags"], errors.EnumerateObject().Select(e => e.Name).Order());
        Assert.Contains("between 1 and 500", errors.GetProperty("epochs")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(before, (await client.GetFromJsonAsync<RunPage>("/api/runs?pageSize=200", WebAppFactory.Json, Ct))!.Total);
    }

    [Fact]
    public async Task A_preset_in_the_body_gives_its_spec_and_the_fields_given_change_it()
    {
        using var client = factory.CreateAuthorizedClient();
        using var created = await client.PostAsJsonAsync("/api/runs", new { preset = "improved", seed = 3, Name = "mine", tags = new[] { "api-test" } }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var manifest = (await created.Content.ReadFromJsonAsync<RunManifest>(WebAppFactory.Json, Ct))!;
        var expected = RunPresets.Get(RunPresets.Improved) with { Seed = 3, Name = "mine", Tags = ["api-test"] };
        Assert.All(RunSpecSchema.Fields, field => Assert.Equal(field.Display(expected), field.Display(manifest.Spec)));

        using var unknown = await client.PostAsJsonAsync("/api/runs", new { preset = "fast" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        using var problem = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync(Ct));
        Assert.Contains("first-look, improved, faithful", problem.RootElement.GetProperty("errors").GetProperty("preset")[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"epochs\":\"many\"}", "epochs")]
    [InlineData("{\"step\":\"sideways\"}", "step")]
    [InlineData("not json", "body")]
    [InlineData("", "body")]
    public async Task Malformed_json_is_a_400_naming_the_field(string body, string field)
    {
        using var client = factory.CreateAuthorizedClient();
        using var response = await client.PostAsync("/api/runs", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(Ct);
        using var problem = JsonDocument.Parse(text);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), text);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_returns_201_with_location_and_the_run_is_listed_queued_once()
    {
        using var client = factory.CreateAuthorizedClient();
        using var response = await client.PostAsJsonAsync("/api/runs", new { name = "listed", tags = new[] { "listing" }, epochs = 3 }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<RunManifest>(WebAppFactory.Json, Ct))!;
        Assert.Equal($"/api/runs/{created.RunId}", response.Headers.Location?.OriginalString);

        var fetched = await WebAppFactory.GetRunAsync(client, created.RunId);
        Assert.Equal((RunStatus.Queued, "listed", 3), (fetched.Status, fetched.Spec.Name, fetched.Spec.Epochs));
        Assert.NotNull(fetched.JobId);

        var page = (await client.GetFromJsonAsync<RunPage>("/api/runs?tag=listing&status=queued", WebAppFactory.Json, Ct))!;
        var summary = Assert.Single(page.Runs);
        Assert.Equal((created.RunId, RunStatus.Queued, 3), (summary.RunId, summary.Status, summary.TotalEpochs));
        Assert.Empty((await client.GetFromJsonAsync<RunPage>("/api/runs?tag=listing&status=Succeeded", WebAppFactory.Json, Ct))!.Runs);
    }

    [Theory]
    [InlineData("/api/runs?status=bogus", "status")]
    [InlineData("/api/runs?page=0", "page")]
    [InlineData("/api/runs?pageSize=1000", "pageSize")]
    public async Task Bad_list_queries_are_400s_naming_the_parameter(string url, string field)
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("GET", "/metrics")]
    [InlineData("GET", "/samples/1.png")]
    [InlineData("GET", "/gif")]
    [InlineData("GET", "/checkpoints")]
    [InlineData("GET", "/checkpoints/latest")]
    [InlineData("POST", "/cancel")]
    [InlineData("DELETE", "")]
    public async Task Unknown_runs_are_404_problems(string method, string suffix)
    {
        using var client = factory.CreateAuthorizedClient();
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/api/runs/{Guid.NewGuid()}{suffix}"), Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("does not exist", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trained_run_serves_its_metrics_grids_gif_and_checkpoints_and_can_be_forked()
    {
        using var client = factory.CreateAuthorizedClient();
        var run = await factory.SubmitAsync(client, TinySpec);
        await RunJobAsync(run.RunId);

        var done = await WebAppFactory.GetRunAsync(client, run.RunId);
        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal(2, done.LatestEpoch?.Epoch);

        var metrics = await client.GetStringAsync($"/api/runs/{run.RunId}/metrics", Ct);
        Assert.Equal(2, metrics.Split('\n').Count(l => l.Contains("\"kind\":\"epoch\"", StringComparison.Ordinal)));

        using var png = await client.GetAsync($"/api/runs/{run.RunId}/samples/2.png", Ct);
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0x89, (await png.Content.ReadAsByteArrayAsync(Ct))[0]);
        using var gif = await client.GetAsync($"/api/runs/{run.RunId}/gif", Ct);
        Assert.Equal("GIF89a", Encoding.ASCII.GetString((await gif.Content.ReadAsByteArrayAsync(Ct))[..6]));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/runs/{run.RunId}/samples/3.png", Ct)).StatusCode);

        var checkpoints = (await client.GetFromJsonAsync<List<JsonElement>>($"/api/runs/{run.RunId}/checkpoints", WebAppFactory.Json, Ct))!;
        Assert.Equal(["1", "2", "latest"], checkpoints.Select(c => c.GetProperty("name").GetString()).Order());
        using var download = await client.GetAsync($"/api/runs/{run.RunId}/checkpoints/2", Ct);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal($"tiny-{run.RunId:N}-epoch-0002.ckpt", download.Content.Headers.ContentDisposition?.FileNameStar ?? download.Content.Headers.ContentDisposition?.FileName);
        var stored = await factory.Services.GetRequiredService<IArtifactStore>().GetBytesAsync(RunArtifactLayout.Checkpoint(run.RunId, 2), Ct);
        Assert.Equal(stored, await download.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/runs/{run.RunId}/checkpoints/7", Ct)).StatusCode);

        // Resume from epoch 1 as a fork: the child starts from the parent's epoch-1 checkpoint and history.
        var fork = await factory.SubmitAsync(client, new { name = "fork", epochs = 2, batchSize = 128, trainSubset = 256, evaluateEvery = 0, parent = new { runId = run.RunId, epoch = 1 } });
        Assert.Equal((1, run.RunId), (fork.LatestCheckpointEpoch, fork.Spec.Parent!.RunId));
        await RunJobAsync(fork.RunId);
        var forked = await WebAppFactory.GetRunAsync(client, fork.RunId);
        Assert.Equal(RunStatus.Succeeded, forked.Status);
        var forkMetrics = await client.GetStringAsync($"/api/runs/{fork.RunId}/metrics", Ct);
        Assert.Equal(2, forkMetrics.Split('\n').Count(l => l.Contains("\"kind\":\"epoch\"", StringComparison.Ordinal)));

        using var badFork = await client.PostAsJsonAsync("/api/runs", new { epochs = 5, parent = new { runId = run.RunId, epoch = 4 } }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badFork.StatusCode);
        Assert.Contains("no checkpoint of epoch 4", await badFork.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        // A duplicate job for a finished run does nothing.
        var etag = (await factory.Services.GetRequiredService<IArtifactStore>().GetInfoAsync(RunArtifactLayout.LatestCheckpoint(run.RunId), Ct))!.ETag;
        await RunJobAsync(run.RunId);
        Assert.Equal(etag, (await factory.Services.GetRequiredService<IArtifactStore>().GetInfoAsync(RunArtifactLayout.LatestCheckpoint(run.RunId), Ct))!.ETag);
    }

    [Fact]
    public async Task A_queued_run_is_cancelled_at_once_and_delete_removes_everything()
    {
        using var client = factory.CreateAuthorizedClient();
        var run = await factory.SubmitAsync(client, new { name = "to-cancel", epochs = 3 });
        using var cancel = await client.PostAsync($"/api/runs/{run.RunId}/cancel", null, Ct);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal(RunStatus.Cancelled, (await WebAppFactory.GetRunAsync(client, run.RunId)).Status);

        // Its job, if it still ran, would leave the cancelled run alone.
        await RunJobAsync(run.RunId);
        Assert.Equal(RunStatus.Cancelled, (await WebAppFactory.GetRunAsync(client, run.RunId)).Status);

        using var delete = await client.DeleteAsync($"/api/runs/{run.RunId}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/runs/{run.RunId}", Ct)).StatusCode);
        Assert.DoesNotContain((await client.GetFromJsonAsync<RunPage>("/api/runs?pageSize=200", WebAppFactory.Json, Ct))!.Runs, r => r.RunId == run.RunId);
        await foreach (var _ in factory.Services.GetRequiredService<IArtifactStore>().ListAsync(RunArtifactLayout.RunPrefix(run.RunId), Ct))
        {
            Assert.Fail("an artifact of the deleted run is left");
        }
    }

    [Fact]
    public async Task Fifty_concurrent_submits_make_fifty_distinct_runs_each_queued_once()
    {
        using var client = factory.CreateAuthorizedClient();
        var runs = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => factory.SubmitAsync(client, new { name = $"burst-{i}", tags = new[] { "burst" }, epochs = 1 })));
        Assert.Equal(50, runs.Select(r => r.RunId).Distinct().Count());
        Assert.Equal(50, runs.Select(r => r.JobId).Distinct().Count());
        var listed = (await client.GetFromJsonAsync<RunPage>("/api/runs?tag=burst&pageSize=200", WebAppFactory.Json, Ct))!;
        Assert.Equal(50, listed.Total);
        Assert.Equal(runs.Select(r => r.RunId).Order(), listed.Runs.Select(r => r.RunId).Order());

        var monitoring = factory.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var queued = monitoring.EnqueuedJobs(ITrainingJob.Queue, 0, 10_000).Select(j => (Guid)j.Value.Job.Args[0]).ToList();
        foreach (var run in runs)
        {
            Assert.Equal(1, queued.Count(id => id == run.RunId));
        }
    }

    [Fact]
    public async Task The_openapi_document_and_the_api_reference_are_served()
    {
        using var client = factory.CreateClient();
        var document = await client.GetStringAsync("/openapi/v1.json", Ct);
        Assert.Contains("/api/runs/{id}/checkpoints/{name}", document, StringComparison.Ordinal);
        var reference = await client.GetStringAsync("/api/reference", Ct);
        Assert.Contains("DigitGan API", reference, StringComparison.Ordinal);
    }

    private async Task RunJobAsync(Guid runId)
    {
        // The app has no trainer (workers train); the test runs the worker's job on the app's store.
        var store = factory.Services.GetRequiredService<IArtifactStore>();
        await MnistDataset.EnsureImportedAsync(store, DataPaths.MnistCache, Ct);
        await new TrainingJob(store, NullLogger<TrainingJob>.Instance).RunAsync(runId, Ct);
    }
}
