using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using DigitGan.Shared.Runs;

namespace DigitGan.Testing;

/// <summary>The REST calls the web and end-to-end tests make: submit a run, read it, and poll it until a condition holds.</summary>
public static class RunsApiClient
{
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static async Task<RunManifest> SubmitAsync(HttpClient client, object spec)
    {
        using var response = await client.PostAsJsonAsync("/api/runs", spec, Json);
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonSerializer.Deserialize<RunManifest>(body, Json)!
            : throw new InvalidOperationException($"POST /api/runs: {(int)response.StatusCode} {body}");
    }

    public static async Task<RunManifest> GetAsync(HttpClient client, Guid runId) => (await client.GetFromJsonAsync<RunManifest>($"/api/runs/{runId}", Json))!;

    /// <summary>
    /// Polls the run until <paramref name="done"/> holds; a run that ends otherwise, or the timeout, fails the wait
    /// with its status, its error and <paramref name="context"/> (the processes' output).
    /// </summary>
    public static async Task<RunManifest> WaitAsync(HttpClient client, Guid runId, Func<RunManifest, bool> done, TimeSpan timeout, Func<string> context)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var manifest = await GetAsync(client, runId);
            if (done(manifest))
            {
                return manifest;
            }

            if (manifest.IsFinished || clock.Elapsed > timeout)
            {
                throw new InvalidOperationException($"run {runId} is {manifest.Status} after {clock.Elapsed.TotalSeconds:F0} s: {manifest.Error}\n{context()}");
            }

            await Task.Delay(100);
        }
    }
}
