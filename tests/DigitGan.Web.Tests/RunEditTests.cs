using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace DigitGan.Web.Tests;

/// <summary>PATCH /api/runs/{id}: name, tags and notes change, checked like a submit; the training fields do not.</summary>
public sealed class RunEditTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<HttpResponseMessage> PatchAsync(HttpClient client, Guid id, string json)
        => client.PatchAsync($"/api/runs/{id}", new StringContent(json, Encoding.UTF8, "application/json"), Ct);

    [Fact]
    public async Task An_edit_changes_name_tags_and_notes_in_the_manifest_and_the_index_and_keeps_the_rest()
    {
        using var client = factory.CreateAuthorizedClient();
        var run = await factory.SubmitAsync(client, new { name = "before", tags = new[] { "old" }, epochs = 3, learningRate = 2e-4, notes = "first" });

        using var response = await PatchAsync(client, run.RunId, "{\"name\":\"after\",\"tags\":[\"new\",\"edited\"],\"notes\":\"second thoughts\"}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var edited = await WebAppFactory.GetRunAsync(client, run.RunId);
        Assert.Equal(("after", "new,edited", "second thoughts"), (edited.Spec.Name, string.Join(',', edited.Spec.Tags), edited.Spec.Notes));
        Assert.Equal(run.Spec with { Name = "after", Tags = edited.Spec.Tags, Notes = "second thoughts" }, edited.Spec);
        Assert.Equal((run.Status, run.JobId, run.CreatedAt), (edited.Status, edited.JobId, edited.CreatedAt));

        var listed = Assert.Single((await client.GetFromJsonAsync<RunPage>("/api/runs?tag=edited", WebAppFactory.Json, Ct))!.Runs);
        Assert.Equal((run.RunId, "after"), (listed.RunId, listed.Name));
        Assert.Empty((await client.GetFromJsonAsync<RunPage>("/api/runs?tag=old", WebAppFactory.Json, Ct))!.Runs);

        // Only what is sent changes; null clears the notes.
        using var clear = await PatchAsync(client, run.RunId, "{\"notes\":null}");
        Assert.Equal(HttpStatusCode.OK, clear.StatusCode);
        var cleared = await WebAppFactory.GetRunAsync(client, run.RunId);
        Assert.Equal(("after", (string?)null), (cleared.Spec.Name, cleared.Spec.Notes));
    }

    [Theory]
    [InlineData("{\"name\":\"\"}", "name", "1-100 characters")]
    [InlineData("{\"name\":\"a\\u202Eb\"}", "name", "bidirectional")]
    [InlineData("{\"name\":5}", "name", "string")]
    [InlineData("{\"tags\":[\"bad tag\"]}", "tags", "'bad tag'")]
    [InlineData("{\"tags\":\"one\"}", "tags", "array of strings")]
    [InlineData("{\"epochs\":7}", "epochs", "training field")]
    [InlineData("{\"name\":\"ok\",\"learningRate\":0.1}", "learningRate", "training field")]
    [InlineData("{\"parent\":null}", "parent", "training field")]
    [InlineData("{\"colour\":\"red\"}", "colour", "Unknown field")]
    [InlineData("{}", "body", "at least one of name, tags, notes")]
    [InlineData("[1]", "body", "JSON object")]
    [InlineData("not json", "body", "Invalid JSON")]
    public async Task A_bad_edit_is_a_400_naming_the_field_and_changes_nothing(string body, string field, string message)
    {
        using var client = factory.CreateAuthorizedClient();
        var run = await factory.SubmitAsync(client, new { name = "unchanged", epochs = 3 });
        var etag = (await Store.GetInfoAsync(RunArtifactLayout.Manifest(run.RunId), Ct))!.ETag;

        using var response = await PatchAsync(client, run.RunId, body);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(text);
        var errors = problem.RootElement.GetProperty("errors");
        Assert.Equal([field], errors.EnumerateObject().Select(e => e.Name));
        Assert.Contains(message, errors.GetProperty(field)[0].GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.Equal(etag, (await Store.GetInfoAsync(RunArtifactLayout.Manifest(run.RunId), Ct))!.ETag);
    }

    [Fact]
    public async Task Notes_over_the_limit_are_a_400_naming_notes()
    {
        using var client = factory.CreateAuthorizedClient();
        var run = await factory.SubmitAsync(client, new { name = "long-notes", epochs = 1 });
        using var response = await client.PatchAsJsonAsync($"/api/runs/{run.RunId}", new { notes = new string('n', RunSpec.MaxNotesLength + 1) }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"notes\"", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_operators_edit_and_unknown_runs_are_404()
    {
        using var operatorClient = factory.CreateAuthorizedClient();
        var run = await factory.SubmitAsync(operatorClient, new { name = "guarded", epochs = 1 });
        using var anonymous = factory.CreateClient();
        using var refused = await PatchAsync(anonymous, run.RunId, "{\"name\":\"hijacked\"}");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("guarded", (await WebAppFactory.GetRunAsync(operatorClient, run.RunId)).Spec.Name);

        using var missing = await PatchAsync(operatorClient, Guid.NewGuid(), "{\"name\":\"x\"}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Concurrent_edits_of_different_fields_are_all_kept()
    {
        using var client = factory.CreateAuthorizedClient();
        var run = await factory.SubmitAsync(client, new { name = "racing", epochs = 1 });
        var responses = await Task.WhenAll(
            PatchAsync(client, run.RunId, "{\"tags\":[\"t1\"]}"),
            PatchAsync(client, run.RunId, "{\"notes\":\"n1\"}"),
            PatchAsync(client, run.RunId, "{\"name\":\"raced\"}"));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var edited = await WebAppFactory.GetRunAsync(client, run.RunId);
        Assert.Equal(("raced", "t1", "n1"), (edited.Spec.Name, string.Join(',', edited.Spec.Tags), edited.Spec.Notes));
    }

    private IArtifactStore Store => factory.Services.GetRequiredService<IArtifactStore>();
}
