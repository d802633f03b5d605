using System.Globalization;
using DigitGan.Shared.Runs;
using DigitGan.Testing;

namespace DigitGan.EndToEnd.Tests;

/// <summary>
/// The web app on the embedded default as a process (`dotnet DigitGan.Web.dll`: file store and SQLite queue in a temp
/// data folder, its own local worker process), for tests that kill the worker or the app. It can be killed and
/// started again on the same data folder and port.
/// </summary>
public sealed class LocalWorkerApp : IDisposable
{
    public const string Key = "local-worker-key";

    private readonly int _port;
    private readonly List<ServiceProcess> _generations = [];

    private readonly (string Name, string Value)[] _settings;

    /// <summary>Starts the app; <paramref name="settings"/> are extra environment variables (e.g. DigitGan__Auth__AnonymousRead).</summary>
    public LocalWorkerApp(params (string Name, string Value)[] settings)
        : this(null, settings)
    {
    }

    /// <summary>Starts the app on <paramref name="port"/> (a free one when null), for settings that must know its URL first.</summary>
    public LocalWorkerApp(int? port, params (string Name, string Value)[] settings)
    {
        _port = port ?? Ports.Free();
        _settings = settings;
        Client = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Add("X-Api-Key", Key);
        Start();
    }

    public string DataFolder { get; } = Directory.CreateTempSubdirectory("digitgan-local-worker-").FullName;

    public string BaseUrl => $"http://127.0.0.1:{_port}";

    public HttpClient Client { get; }

    /// <summary>Creating this file makes the worker die of a segmentation fault in native code (its fault injection).</summary>
    public string FaultFile => Path.Combine(DataFolder, "crash-now");

    public ServiceProcess Web => _generations[^1];

    /// <summary>Everything every generation of the app (and, through it, its workers) printed.</summary>
    public string Output => string.Join("\n--- restart ---\n", _generations.Select(g => g.Output));

    /// <summary>A tiny run: 8 steps of 128 images an epoch, 100 evaluation digits, a checkpoint every epoch.</summary>
    public static object Spec(string name, int epochs, long seed = 5) => new { name, epochs, batchSize = 128, trainSubset = 1024, seed, evaluationSamples = 100, checkpointEvery = 1 };

    public void Start()
    {
        var web = ServiceProcess.StartDotnet("src/Web/bin/Release/net10.0/DigitGan.Web.dll", [],
        [
            ("DIGITGAN_DATA", DataFolder),
            ("DigitGan__ApiKey", Key),
            ("ASPNETCORE_URLS", BaseUrl),
            ("ASPNETCORE_ENVIRONMENT", "Production"),
            ("DIGITGAN_FAULT_FILE", FaultFile),
            .. _settings,
        ]);
        _generations.Add(web);
        Ports.WaitUntilListening(_port, TimeSpan.FromSeconds(90), () => web.HasExited ? $"the web app exited: {web.Output}" : null);
    }

    /// <summary>SIGKILL to the web app alone: its worker is left behind, as after a crash of the app.</summary>
    public void KillWebOnly() => Signals.Send(Web.Id, Signals.Kill);

    /// <summary>The web app's worker process (its child); null when none runs.</summary>
    public int? WorkerProcessId() => ChildrenOf(Web.Id).FirstOrDefault();

    public async Task<int> WaitForWorkerAsync(int? other, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            if (WorkerProcessId() is { } pid && pid != other)
            {
                return pid;
            }

            await Task.Delay(100, cancel.Token).ConfigureAwait(false);
        }
    }

    public Task<RunManifest> SubmitAsync(object spec) => RunsApiClient.SubmitAsync(Client, spec);

    public Task<RunManifest> WaitAsync(Guid runId, Func<RunManifest, bool> done, TimeSpan timeout) =>
        RunsApiClient.WaitAsync(Client, runId, done, timeout, () => $"app output:\n{Output}");

    /// <summary>The epochs of the run's metrics.jsonl, in file order (each must appear once).</summary>
    public async Task<int[]> EpochsAsync(Guid runId) =>
        [.. RunHistory.Parse(await Client.GetStringAsync($"/api/runs/{runId}/metrics").ConfigureAwait(false)).Epochs.Select(e => e.Epoch)];

    public void Dispose()
    {
        foreach (var generation in _generations)
        {
            generation.Dispose();
        }

        // A worker orphaned by KillWebOnly stops by itself within a second; wait so it does not write into a deleted folder.
        Thread.Sleep(TimeSpan.FromSeconds(2));
        Client.Dispose();
        try
        {
            Directory.Delete(DataFolder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static IEnumerable<int> ChildrenOf(int parent)
    {
        foreach (var stat in Directory.EnumerateDirectories("/proc").Select(d => Path.Combine(d, "stat")))
        {
            string text;
            try
            {
                text = File.ReadAllText(stat);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue; // not a process, or it just ended
            }

            // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            if (fields[0] != "Z" && int.Parse(fields[1], CultureInfo.InvariantCulture) == parent)
            {
                yield return int.Parse(text[..text.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            }
        }
    }
}
