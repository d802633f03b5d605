using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using DigitGan.Testing;

/// <summary>
/// The soak benchmark (a command, not a timed test): submits short runs in bursts against (a) the embedded default
/// (the web app with its local worker: file store, SQLite queue) and (b) the distributed setup (Azurite, PostgreSQL,
/// the web app and 2 worker processes), killing workers with SIGKILL at random meanwhile. It prints and writes runs
/// finished, lost and duplicated (both must be 0), the p95 latency of GET /api/runs during the soak, and the peak
/// RSS of the web app and the workers. Then 8 simulated workers write progress to one Blob index and it counts the
/// conditional-write conflicts per minute, with the index writes coalesced and (for comparison) at every write.
/// </summary>
internal static class Soak
{
    private const string Key = "soak-api-key";
    private const string WebDll = "src/Web/bin/Release/net10.0/DigitGan.Web.dll";
    private const string JobsDll = "src/Jobs/bin/Release/net10.0/DigitGan.Jobs.dll";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    /// <summary>A short run: 2 epochs of 2 steps of 32 images, no quality metrics, a checkpoint every epoch.</summary>
    private static object Spec(int i) => new { name = $"soak-{i}", epochs = 2, batchSize = 32, trainSubset = 64, evaluateEvery = 0, checkpointEvery = 1, seed = i };

    private static readonly (string, string)[] Unlimited =
    [
        ("DigitGan__Limits__SubmitBurst", "100000"),
        ("DigitGan__Limits__SubmitsPerMinute", "100000"),
        ("DigitGan__Limits__MaxQueuedRuns", "100000"),
        ("DigitGan__ApiKey", Key),
        ("Logging__LogLevel__Default", "Warning"),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = Option(args, "--runs", 200);
        var seed = Option(args, "--seed", 1);
        var conflictSeconds = Option(args, "--conflict-seconds", 60);
        var only = Value(args, "--only");
        var output = Path.GetFullPath(Value(args, "--out") ?? Path.Combine(RepoPaths.Root, "benchmarks", $"soak-{DateTime.UtcNow:yyyy-MM-dd}.json"));
        var results = new Dictionary<string, object>
        {
            ["command"] = string.Join(' ', ["scripts/soak.sh", .. args]),
            ["machine"] = BenchMachine.Describe(),
            ["at"] = DateTimeOffset.UtcNow,
        };
        var bad = 0;
        if (only is null or "embedded")
        {
            var embedded = await EmbeddedAsync(runs, seed);
            results["embedded"] = embedded;
            bad += embedded.Lost + embedded.Duplicated;
        }

        if (only is null or "distributed")
        {
            var distributed = await DistributedAsync(runs, seed + 1);
            results["distributed"] = distributed;
            bad += distributed.Lost + distributed.Duplicated;
        }

        if (only is null or "conflicts")
        {
            results["indexConflicts8Workers"] = await ConflictsAsync(TimeSpan.FromSeconds(conflictSeconds));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        await File.WriteAllTextAsync(output, JsonSerializer.Serialize(results, Json));
        Console.WriteLine($"Wrote {output}");
        return bad == 0 ? 0 : 1;
    }

    private static async Task<SoakResult> EmbeddedAsync(int count, int seed)
    {
        var data = Directory.CreateTempSubdirectory("digitgan-soak-").FullName;
        try
        {
            var port = Ports.Free();
            using var web = ServiceProcess.StartDotnet(WebDll, [], [.. Unlimited, ("DIGITGAN_DATA", data), ("ASPNETCORE_URLS", $"http://127.0.0.1:{port}")]);
            Ports.WaitUntilListening(port, TimeSpan.FromSeconds(120), () => web.HasExited ? $"the web app exited: {web.Output}" : null);
            using var client = Client(port);
            bool Kill()
            {
                var worker = ChildrenOf(web.Id).FirstOrDefault();
                return worker != 0 && SendSignal(worker, 9) == 0;
            }

            return await DriveAsync("embedded", client, count, seed, Kill, () => [("web", web.Id), .. ChildrenOf(web.Id).Select(p => ("worker", p))]);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<SoakResult> DistributedAsync(int count, int seed)
    {
        using var azurite = new AzuriteServer();
        using var postgres = new PostgresServer();
        var data = Directory.CreateTempSubdirectory("digitgan-soak-").FullName;
        (string, string)[] settings =
        [
            ("DigitGan__Storage__Kind", "Blob"),
            ("DigitGan__Storage__ConnectionString", azurite.ConnectionString),
            ("DigitGan__Storage__Container", "soak"),
            ("DigitGan__Queue__Kind", "PostgreSql"),
            ("DigitGan__Queue__ConnectionString", postgres.ConnectionString),
            ("DIGITGAN_DATA", data),
            .. Unlimited,
        ];
        var workers = new List<ServiceProcess>();
        try
        {
            using (var import = ServiceProcess.StartDotnet(JobsDll, ["import-mnist"], settings))
            {
                if (!import.WaitForExit(TimeSpan.FromMinutes(5)) || !import.Output.Contains("Imported", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"import-mnist failed: {import.Output}");
                }
            }

            var port = Ports.Free();
            using var web = ServiceProcess.StartDotnet(WebDll, [], [.. settings, ("DigitGan__LocalWorker__Enabled", "false"), ("ASPNETCORE_URLS", $"http://127.0.0.1:{port}")]);
            Ports.WaitUntilListening(port, TimeSpan.FromSeconds(120), () => web.HasExited ? $"the web app exited: {web.Output}" : null);
            using var client = Client(port);
            lock (workers)
            {
                workers.Add(ServiceProcess.StartDotnet(JobsDll, ["worker"], settings));
                workers.Add(ServiceProcess.StartDotnet(JobsDll, ["worker"], settings));
            }

            var pick = new Random(seed * 7);
            bool Kill()
            {
                // SIGKILL one of the two workers, and start a replacement as an orchestrator would.
                lock (workers)
                {
                    var victim = pick.Next(workers.Count);
                    workers[victim].Kill();
                    workers[victim].Dispose();
                    workers[victim] = ServiceProcess.StartDotnet(JobsDll, ["worker"], settings);
                    return true;
                }
            }

            IEnumerable<(string, int)> Processes()
            {
                lock (workers)
                {
                    return [("web", web.Id), .. workers.Where(w => !w.HasExited).Select(w => ("worker", w.Id))];
                }
            }

            return await DriveAsync("distributed", client, count, seed, Kill, Processes);
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Dispose();
            }

            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Submits in bursts, kills workers at random, samples list latency and RSS, then checks every run.</summary>
    private static async Task<SoakResult> DriveAsync(string name, HttpClient client, int count, int seed, Func<bool> kill, Func<IEnumerable<(string Role, int Pid)>> processes)
    {
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var latencies = new List<double>();
        var peak = new Dictionary<string, long>();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var call = Stopwatch.StartNew();
                try
                {
                    using var response = await client.GetAsync("/api/runs?pageSize=50", stop.Token);
                    await response.Content.ReadAsByteArrayAsync(stop.Token);
                    if (response.IsSuccessStatusCode)
                    {
                        lock (latencies)
                        {
                            latencies.Add(call.Elapsed.TotalMilliseconds);
                        }
                    }

                    foreach (var (role, pid) in processes())
                    {
                        peak[role] = Math.Max(peak.GetValueOrDefault(role), Rss(pid));
                    }

                    await Task.Delay(250, stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
        var kills = 0;
        var killRandom = new Random(seed * 31);
        var killer = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await Task.Delay(killRandom.Next(10_000, 30_000), stop.Token);
                    if (kill())
                    {
                        Interlocked.Increment(ref kills);
                        Console.WriteLine($"[{name}] {clock.Elapsed.TotalSeconds:F0} s: killed a worker (SIGKILL)");
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        var submitted = new List<Guid>();
        while (submitted.Count < count)
        {
            var burst = Math.Min(random.Next(5, 21), count - submitted.Count);
            var first = submitted.Count;
            var made = await Task.WhenAll(Enumerable.Range(first, burst).Select(i => RunsApiClient.SubmitAsync(client, Spec(i))));
            submitted.AddRange(made.Select(m => m.RunId));
            Console.WriteLine($"[{name}] {clock.Elapsed.TotalSeconds:F0} s: submitted {submitted.Count}/{count}");
            await Task.Delay(random.Next(1_000, 5_000));
        }

        // Wait until every run is finished, as the list shows it; give up after a generous deadline (then: lost).
        var deadline = TimeSpan.FromMinutes(20) + TimeSpan.FromSeconds(count * 6);
        var unfinished = submitted.ToHashSet();
        while (unfinished.Count > 0 && clock.Elapsed < deadline)
        {
            await Task.Delay(2_000);
            var listed = await ListAllAsync(client);
            unfinished.ExceptWith(listed.Where(r => r.Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled or RunStatus.Damaged).Select(r => r.RunId));
            Console.WriteLine($"[{name}] {clock.Elapsed.TotalSeconds:F0} s: {count - unfinished.Count}/{count} finished");
        }

        await stop.CancelAsync();
        await Task.WhenAll(sampler, killer);

        // Every run: its manifest (missing or unfinished: lost), its metrics (an epoch or step twice: duplicated).
        int succeeded = 0, failed = 0, lost = 0, duplicated = 0;
        foreach (var runId in submitted)
        {
            using var response = await client.GetAsync($"/api/runs/{runId}");
            var manifest = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<RunManifest>(Json) : null;
            if (manifest is null || !manifest.IsFinished)
            {
                lost++;
                Console.WriteLine($"[{name}] lost: {runId} {manifest?.Status} {manifest?.Error}");
                continue;
            }

            if (manifest.Status == RunStatus.Succeeded)
            {
                succeeded++;
            }
            else
            {
                failed++;
                Console.WriteLine($"[{name}] {manifest.Status}: {runId} {manifest.Error}");
            }

            var history = RunHistory.Parse(await client.GetStringAsync($"/api/runs/{runId}/metrics"));
            var epochs = history.Epochs.Select(e => e.Epoch).ToList();
            var steps = history.Steps.Select(s => s.GlobalStep).ToList();
            if (epochs.Distinct().Count() != epochs.Count || steps.Distinct().Count() != steps.Count || (manifest.Status == RunStatus.Succeeded && !epochs.SequenceEqual([1, 2])))
            {
                duplicated++;
                Console.WriteLine($"[{name}] duplicated: {runId} epochs {string.Join(',', epochs)}");
            }
        }

        // A run listed that was never submitted (a submit that happened twice) counts as duplicated too.
        duplicated += (await ListAllAsync(client)).Count(r => !submitted.Contains(r.RunId));
        latencies.Sort();
        var result = new SoakResult
        {
            Setup = name,
            Runs = count,
            Finished = succeeded + failed,
            Succeeded = succeeded,
            Failed = failed,
            Lost = lost,
            Duplicated = duplicated,
            WorkerKills = kills,
            WallSeconds = Math.Round(clock.Elapsed.TotalSeconds),
            ListCalls = latencies.Count,
            ListP50Ms = Math.Round(latencies[latencies.Count / 2], 1),
            ListP95Ms = Math.Round(latencies[(int)Math.Ceiling(latencies.Count * 0.95) - 1], 1),
            PeakRssMb = peak.ToDictionary(p => p.Key, p => p.Value / 1024),
        };
        Console.WriteLine($"[{name}] runs {count}: finished {result.Finished} (succeeded {succeeded}, failed {failed}), lost {lost}, duplicated {duplicated}; "
            + $"{kills} worker kills; GET /api/runs p95 {result.ListP95Ms} ms (p50 {result.ListP50Ms}, {latencies.Count} calls); "
            + $"peak RSS {string.Join(", ", result.PeakRssMb.Select(p => $"{p.Key} {p.Value} MB"))}; {result.WallSeconds} s");
        return result;
    }

    /// <summary>8 writers of progress (every 5 s, and every 0.5 s as a stand-in for 80 workers) against one Blob index.</summary>
    private static async Task<object> ConflictsAsync(TimeSpan duration)
    {
        using var azurite = new AzuriteServer();
        var results = new List<object>();
        foreach (var cadence in new[] { TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(0.5) })
        {
            foreach (var (mode, interval) in new[] { ("coalesced", TimeSpan.FromSeconds(15)), ("every-write", TimeSpan.Zero) })
            {
                var container = $"conflicts-{mode}-{cadence.TotalMilliseconds}";
                var seedRuns = new RunRepository(BlobArtifactStore.FromConnectionString(azurite.ConnectionString, container));
                for (var i = 0; i < 100; i++)
                {
                    await seedRuns.CreateAsync(new RunSpec { Name = $"listed-{i}" });
                }

                var writers = new List<(RunRepository Runs, Guid RunId)>();
                for (var i = 0; i < 8; i++)
                {
                    var runs = new RunRepository(BlobArtifactStore.FromConnectionString(azurite.ConnectionString, container)) { IndexFlushInterval = interval };
                    var run = await runs.CreateAsync(new RunSpec { Name = $"worker-{i}", Epochs = 100 });
                    await runs.UpdateAsync(run.RunId, m => m with { Status = RunStatus.Running });
                    writers.Add((runs, run.RunId));
                }

                var (writesBefore, conflictsBefore) = (writers.Sum(w => w.Runs.IndexWrites), writers.Sum(w => w.Runs.IndexConflicts));
                var progressWrites = 0;
                var clock = Stopwatch.StartNew();
                await Task.WhenAll(writers.Select(async (writer, i) =>
                {
                    var random = new Random(i);
                    await Task.Delay(random.Next((int)cadence.TotalMilliseconds));
                    for (var step = 1; clock.Elapsed < duration; step++)
                    {
                        await writer.Runs.UpdateAsync(writer.RunId, m => m with
                        {
                            Progress = m.Progress with { Step = step, Epoch = step / 6, ImagesPerSecond = 100 + random.NextDouble(), EtaSeconds = 10_000 - step },
                        });
                        Interlocked.Increment(ref progressWrites);
                        await Task.Delay(cadence);
                    }
                }));
                var minutes = clock.Elapsed.TotalMinutes;
                var indexWrites = writers.Sum(w => w.Runs.IndexWrites) - writesBefore;
                var conflicts = writers.Sum(w => w.Runs.IndexConflicts) - conflictsBefore;
                Console.WriteLine($"[index] 8 workers, progress every {cadence.TotalSeconds} s, {mode}: {progressWrites} manifest writes, {indexWrites} index writes ({indexWrites / minutes:F0}/min), {conflicts} conflicts ({conflicts / minutes:F1}/min)");
                results.Add(new
                {
                    workers = 8,
                    progressEverySeconds = cadence.TotalSeconds,
                    mode,
                    seconds = Math.Round(clock.Elapsed.TotalSeconds),
                    manifestWrites = progressWrites,
                    indexWrites,
                    indexWritesPerMinute = Math.Round(indexWrites / minutes, 1),
                    conflicts,
                    conflictsPerMinute = Math.Round(conflicts / minutes, 1),
                });
            }
        }

        return results;
    }

    private static async Task<List<RunSummary>> ListAllAsync(HttpClient client)
    {
        var all = new List<RunSummary>();
        for (var page = 1; ; page++)
        {
            var result = (await client.GetFromJsonAsync<RunPage>($"/api/runs?page={page}&pageSize={RunQuery.MaxPageSize}", Json))!;
            all.AddRange(result.Runs);
            if (page * result.PageSize >= result.Total || result.Runs.Count == 0)
            {
                return all;
            }
        }
    }

    private static HttpClient Client(int port)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", Key);
        return client;
    }

    /// <summary>Resident memory of a process in KiB (0 once it has ended).</summary>
    private static long Rss(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static IEnumerable<int> ChildrenOf(int parent)
    {
        var children = new List<int>();
        foreach (var stat in Directory.EnumerateDirectories("/proc").Select(d => Path.Combine(d, "stat")))
        {
            try
            {
                var text = File.ReadAllText(stat);
                var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] != "Z" && int.Parse(fields[1], CultureInfo.InvariantCulture) == parent)
                {
                    children.Add(int.Parse(text[..text.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        return children;
    }

    /// <summary>The CPU model and flags (lscpu), the core count and the OS, for the figures.</summary>

    private static int Option(string[] args, string name, int fallback) => Value(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    private static string? Value(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int SendSignal(int pid, int signal);

    private sealed record SoakResult
    {
        public required string Setup { get; init; }
        public int Runs { get; init; }
        public int Finished { get; init; }
        public int Succeeded { get; init; }
        public int Failed { get; init; }
        public int Lost { get; init; }
        public int Duplicated { get; init; }
        public int WorkerKills { get; init; }
        public double WallSeconds { get; init; }
        public int ListCalls { get; init; }
        public double ListP50Ms { get; init; }
        public double ListP95Ms { get; init; }
        public required Dictionary<string, long> PeakRssMb { get; init; }
    }
}
