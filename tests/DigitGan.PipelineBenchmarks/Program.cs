using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using DigitGan.Testing;

// Pipeline benchmarks on real services (Azurite, PostgreSQL) and real processes (the built web app and worker):
//   1. GET /api/runs latency (p50 / p95 / max of 200 calls, a page of 50) with 1,000 runs, on the file store and on Azurite;
//   2. pickup latency with long polling: submit -> a worker's job starts (median of 10), PostgreSQL queue.
// Prints the figures and writes them to bench-pipeline.json (or the path given as the first argument).
// `soak [--runs N] [--out FILE]` runs the soak benchmark instead (Soak.cs); `sweeps [--out FILE]` the sweep benchmark (SweepBench.cs).
if (args is ["soak", .. var soakArgs])
{
    return await Soak.RunAsync(soakArgs);
}

if (args is ["sweeps", .. var sweepArgs])
{
    return await SweepBench.RunAsync(sweepArgs);
}

var output = Path.GetFullPath(args.FirstOrDefault() ?? "bench-pipeline.json");
var json = new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };
const string key = "bench-api-key";
const int runCount = 1000;

using var azurite = new AzuriteServer();
using var postgres = new PostgresServer();
var results = new Dictionary<string, object>();

var fileFolder = Directory.CreateTempSubdirectory("digitgan-bench-").FullName;
try
{
    foreach (var (kind, store, environment) in new (string, IArtifactStore, (string, string)[])[]
    {
        ("file", new FileArtifactStore(fileFolder), [("DigitGan__Storage__Kind", "File"), ("DigitGan__Storage__Folder", fileFolder)]),
        ("azurite", BlobArtifactStore.FromConnectionString(azurite.ConnectionString, "bench-list"), [("DigitGan__Storage__Kind", "Blob"), ("DigitGan__Storage__ConnectionString", azurite.ConnectionString), ("DigitGan__Storage__Container", "bench-list")]),
    })
    {
        Console.WriteLine($"[{kind}] writing {runCount} run manifests ...");
        var start = DateTimeOffset.UtcNow.AddDays(-1);
        await Parallel.ForEachAsync(Enumerable.Range(0, runCount), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var created = start.AddSeconds(i);
            var manifest = new RunManifest
            {
                RunId = Guid.CreateVersion7(created),
                Spec = new RunSpec { Name = $"run-{i}", Tags = i % 10 == 0 ? ["nightly"] : ["bench"] },
                CreatedAt = created,
                Status = (RunStatus)(i % 5),
                Progress = new RunProgress { Epoch = i % 50, TotalEpochs = 50 },
            };
            await store.PutJsonAsync(RunArtifactLayout.Manifest(manifest.RunId), manifest, cancellationToken: ct);
        });
        await new RunRepository(store).RebuildIndexAsync();

        using var web = StartWeb([.. environment, ("DigitGan__LocalWorker__Enabled", "false")], out var client);
        var (p50, p95, max) = await TimeGetsAsync(client, "/api/runs?pageSize=50", 200);
        var filtered = await TimeGetsAsync(client, "/api/runs?tag=nightly&status=Succeeded", 100);
        Console.WriteLine($"[{kind}] GET /api/runs with {runCount} runs: p50 {p50:F1} ms, p95 {p95:F1} ms, max {max:F1} ms; filtered p95 {filtered.P95:F1} ms");
        results[$"listRuns_{kind}"] = new { runs = runCount, calls = 200, p50Ms = p50, p95Ms = p95, maxMs = max, filteredP95Ms = filtered.P95, targetP95Ms = 300 };
        client.Dispose();
    }

    Console.WriteLine("[pickup] web app + one worker on the PostgreSQL queue (long polling) ...");
    var blob = new (string, string)[] { ("DigitGan__Storage__Kind", "Blob"), ("DigitGan__Storage__ConnectionString", azurite.ConnectionString), ("DigitGan__Storage__Container", "bench-pickup"), ("DigitGan__Queue__Kind", "PostgreSql"), ("DigitGan__Queue__ConnectionString", postgres.ConnectionString) };
    Cli(blob, "import-mnist");
    using (var web = StartWeb(blob, out var client))
    using (var worker = Start("src/Jobs/bin/Release/net10.0/DigitGan.Jobs.dll", ["worker"], blob))
    {
        var latencies = new List<double>();
        for (var i = 0; i < 11; i++)
        {
            using var response = await client.PostAsJsonAsync("/api/runs", new { name = $"pickup-{i}", epochs = 1, batchSize = 128, trainSubset = 256, maxStepsPerEpoch = 1, evaluateEvery = 0 }, json);
            response.EnsureSuccessStatusCode();
            var run = (await response.Content.ReadFromJsonAsync<RunManifest>(json))!;
            RunManifest done;
            var clock = Stopwatch.StartNew();
            do
            {
                await Task.Delay(50);
                done = (await client.GetFromJsonAsync<RunManifest>($"/api/runs/{run.RunId}", json))!;
                if (clock.Elapsed > TimeSpan.FromMinutes(3))
                {
                    throw new TimeoutException($"run {run.RunId} was not finished after 3 minutes: {done.Status} {done.Error}\n{worker.Output}");
                }
            }
            while (!done.IsFinished);

            var pickup = (done.PickedUpAt!.Value - done.CreatedAt).TotalMilliseconds;
            if (i > 0)
            {
                latencies.Add(pickup); // the first one also pays the worker's warm-up
            }

            Console.WriteLine($"[pickup] run {i}: picked up after {pickup:F0} ms, {done.Status}");
        }

        latencies.Sort();
        var median = (latencies[4] + latencies[5]) / 2;
        Console.WriteLine($"[pickup] median of 10: {median:F0} ms (min {latencies[0]:F0}, max {latencies[^1]:F0})");
        results["pickup_postgresql_long_polling"] = new { runs = 10, medianMs = median, minMs = latencies[0], maxMs = latencies[^1] };
        client.Dispose();
    }
}
finally
{
    Directory.Delete(fileFolder, recursive: true);
}

results["machine"] = new { Environment.ProcessorCount, os = System.Runtime.InteropServices.RuntimeInformation.OSDescription, at = DateTimeOffset.UtcNow };
await File.WriteAllTextAsync(output, JsonSerializer.Serialize(results, json));
Console.WriteLine($"Wrote {output}");
return 0;

static ServiceProcess Start(string dll, string[] args, (string Name, string Value)[] environment) =>
    ServiceProcess.StartDotnet(dll, args, [.. environment, ("DIGITGAN_DATA", Path.Combine(Path.GetTempPath(), "digitgan-bench-data")), ("DigitGan__ApiKey", key), ("Logging__LogLevel__Default", "Warning")]);

static ServiceProcess StartWeb((string Name, string Value)[] environment, out HttpClient client)
{
    var port = Ports.Free();
    var web = Start("src/Web/bin/Release/net10.0/DigitGan.Web.dll", [], [.. environment, ("ASPNETCORE_URLS", $"http://127.0.0.1:{port}")]);
    Ports.WaitUntilListening(port, TimeSpan.FromSeconds(90), () => web.HasExited ? $"the web app exited: {web.Output}" : null);
    client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    client.DefaultRequestHeaders.Add("X-Api-Key", key);
    return web;
}

static void Cli((string Name, string Value)[] environment, string verb)
{
    using var process = Start("src/Jobs/bin/Release/net10.0/DigitGan.Jobs.dll", [verb], environment);
    process.WaitForExit(TimeSpan.FromMinutes(5));

    if (!process.Output.Contains("Imported", StringComparison.Ordinal))
    {
        throw new InvalidOperationException($"{verb} failed: {process.Output}");
    }
}

static async Task<(double P50, double P95, double Max)> TimeGetsAsync(HttpClient client, string url, int calls)
{
    for (var i = 0; i < 10; i++)
    {
        (await client.GetAsync(url)).EnsureSuccessStatusCode(); // warm-up
    }

    var times = new List<double>(calls);
    for (var i = 0; i < calls; i++)
    {
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync(url);
        await response.Content.ReadAsByteArrayAsync();
        response.EnsureSuccessStatusCode();
        times.Add(clock.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    return (times[calls / 2], times[(int)Math.Ceiling(calls * 0.95) - 1], times[^1]);
}
