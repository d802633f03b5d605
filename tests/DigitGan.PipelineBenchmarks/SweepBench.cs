using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using DigitGan.Shared.Sweeps;
using DigitGan.Testing;

/// <summary>
/// The sweep benchmark: a 16-run sweep of tiny runs (4 learning rates x 4 seeds, 4 epochs each) on the distributed
/// setup (Azurite, PostgreSQL, the web app's coordinator, 2 worker processes of one thread each), once without and
/// once with successive halving (reduction 2, rungs at epochs 1 and 2). Per sweep: wall time (created to finished),
/// the workers' busy time (the sum of each run's pickup-to-end) and utilisation = busy / (workers x wall), epochs
/// trained, runs stopped and the best FID. Prints them and writes them, with lscpu's model and flags, to a JSON file.
/// </summary>
public static class SweepBench
{
    private const string Key = "sweep-bench-key";
    private const int Workers = 2;

    public static async Task<int> RunAsync(string[] args)
    {
        var output = Path.GetFullPath(Value(args, "--out") ?? Path.Combine("benchmarks", $"sweeps-{DateTime.UtcNow:yyyy-MM-dd}.json"));
        var epochs = int.Parse(Value(args, "--epochs") ?? "4", CultureInfo.InvariantCulture);
        var subset = int.Parse(Value(args, "--train-subset") ?? "1280", CultureInfo.InvariantCulture);
        using var azurite = new AzuriteServer();
        using var postgres = new PostgresServer();
        var data = Directory.CreateTempSubdirectory("digitgan-sweep-bench-").FullName;
        (string, string)[] settings =
        [
            ("DigitGan__Storage__Kind", "Blob"),
            ("DigitGan__Storage__ConnectionString", azurite.ConnectionString),
            ("DigitGan__Storage__Container", "sweep-bench"),
            ("DigitGan__Queue__Kind", "PostgreSql"),
            ("DigitGan__Queue__ConnectionString", postgres.ConnectionString),
            ("DIGITGAN_DATA", data),
        ];
        var port = Ports.Free();
        using var web = ServiceProcess.StartDotnet("src/Web/bin/Release/net10.0/DigitGan.Web.dll", [],
            [.. settings, ("DigitGan__ApiKey", Key), ("DigitGan__LocalWorker__Enabled", "false"), ("ASPNETCORE_URLS", $"http://127.0.0.1:{port}"), ("DigitGan__Sweeps__PollSeconds", "1")]);
        Ports.WaitUntilListening(port, TimeSpan.FromSeconds(120), () => web.HasExited ? $"the web app exited: {web.Output}" : null);
        var workers = Enumerable.Range(0, Workers)
            .Select(_ => ServiceProcess.StartDotnet("src/Jobs/bin/Release/net10.0/DigitGan.Jobs.dll", ["worker"], [.. settings, ("DOTNET_PROCESSOR_COUNT", "1")]))
            .ToList();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", Key);
        var results = new List<object>();
        try
        {
            foreach (var asha in new[] { false, true })
            {
                var label = asha ? "asha" : "no-asha";
                Console.WriteLine($"[{label}] 16 runs of {epochs} epochs ({subset} digits, batch 64) on {Workers} workers ...");
                using var created = await client.PostAsJsonAsync("/api/sweeps", new
                {
                    name = $"bench-{label}",
                    @base = new { epochs, batchSize = 64, trainSubset = subset, evaluationSamples = 100, checkpointEvery = epochs },
                    axes = new object[]
                    {
                        new { field = "learningRate", values = new[] { 5e-5, 1e-4, 2e-4, 4e-4 } },
                        new { field = "seed", values = new[] { 1, 2, 3, 4 } },
                    },
                    asha = asha ? new { metric = "Fid", reductionFactor = 2, minEpochs = 1 } : null,
                }, ArtifactJson.Options);
                if (!created.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException(await created.Content.ReadAsStringAsync());
                }

                var sweep = (await created.Content.ReadFromJsonAsync<SweepManifest>(ArtifactJson.Options))!;
                var clock = Stopwatch.StartNew();
                while (!sweep.IsFinished)
                {
                    if (clock.Elapsed > TimeSpan.FromHours(1) || web.HasExited)
                    {
                        throw new TimeoutException($"The sweep did not finish: {JsonSerializer.Serialize(sweep, ArtifactJson.Options)}\n{web.Output}");
                    }

                    await Task.Delay(1000);
                    sweep = (await client.GetFromJsonAsync<SweepManifest>($"/api/sweeps/{sweep.SweepId}", ArtifactJson.Options))!;
                }

                var runs = await Task.WhenAll(sweep.Trials.Select(t => client.GetFromJsonAsync<RunManifest>($"/api/runs/{t.RunId}", ArtifactJson.Options)));
                var wall = (sweep.FinishedAt!.Value - sweep.CreatedAt).TotalSeconds;
                var busy = runs.Where(r => r!.PickedUpAt is not null && r.FinishedAt is not null).Sum(r => (r!.FinishedAt!.Value - r.PickedUpAt!.Value).TotalSeconds);
                var epochsTrained = runs.Sum(r => r!.Progress.Epoch);
                var best = runs.Where(r => r!.LatestEvaluation is not null && r.Progress.Epoch == epochs).Select(r => r!.LatestEvaluation!.Fid).DefaultIfEmpty(double.NaN).Min();
                var result = new
                {
                    mode = label,
                    runs = runs.Length,
                    epochsPerRun = epochs,
                    workers = Workers,
                    wallSeconds = Math.Round(wall, 1),
                    busySeconds = Math.Round(busy, 1),
                    utilisation = Math.Round(busy / (Workers * wall), 3),
                    epochsTrained,
                    stoppedBySweep = sweep.Trials.Count(t => t.State == SweepTrialState.Stopped),
                    succeeded = runs.Count(r => r!.Status == RunStatus.Succeeded),
                    bestFinalFid = double.IsNaN(best) ? (double?)null : Math.Round(best, 2),
                    trials = sweep.Trials.Select(t => new
                    {
                        t.Spec.Name,
                        values = string.Join(", ", t.Values.Select(v => $"{v.Key} {v.Value}")),
                        epochs = runs[t.Index]!.Progress.Epoch,
                        status = runs[t.Index]!.Status.ToString(),
                        rungs = t.Rungs.Select(r => $"epoch {r.Epoch}: {(r.Continued ? "on" : "stopped")} ({r.Reason})").ToArray(),
                    }).ToArray(),
                };
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{label}] wall {result.wallSeconds:F1} s, busy {result.busySeconds:F1} s, utilisation {result.utilisation:P1}, {epochsTrained} epochs trained, {result.stoppedBySweep} stopped, best final FID {result.bestFinalFid}"));
                results.Add(result);
            }

            var report = new { benchmark = "sweeps", date = DateTimeOffset.UtcNow, machine = BenchMachine.Describe(), trainSubset = subset, batchSize = 64, evaluationSamples = 100, results };
            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            await File.WriteAllTextAsync(output, JsonSerializer.Serialize(report, ArtifactJson.Options) + "\n");
            Console.WriteLine($"Wrote {output}");
            return 0;
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Dispose();
            }

            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The CPU model and flags (lscpu), the core count and the OS, for the figures.</summary>

    private static string? Value(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
