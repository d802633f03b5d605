using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Runs;
using DigitGan.Testing;

namespace DigitGan.EndToEnd.Tests;

/// <summary>
/// The distributed setup as real processes: Azurite (blob storage), PostgreSQL (the Hangfire queue), the web app
/// (no in-process worker) and worker processes started by the tests. MNIST and the classifier are uploaded to the
/// container with the CLI, as an operator would.
/// </summary>
public sealed class PipelineFixture : IDisposable
{
    public const string Key = "e2e-api-key";
    public const string Container = "digitgan-e2e";

    private readonly List<ServiceProcess> _processes = [];

    public PipelineFixture()
    {
        Azurite = new AzuriteServer();
        Postgres = new PostgresServer();
        QueueConnectionString = Postgres.ConnectionString;
        Store = BlobArtifactStore.FromConnectionString(Azurite.ConnectionString, Container);

        RunCli("import-mnist");
        RunCli("train-classifier");

        WebPort = Ports.Free();
        Web = Start("src/Web/bin/Release/net10.0/DigitGan.Web.dll", [], ("DigitGan__ApiKey", Key), ("ASPNETCORE_URLS", $"http://127.0.0.1:{WebPort}"));
        Ports.WaitUntilListening(WebPort, TimeSpan.FromSeconds(90), () => Web.HasExited ? $"the web app exited: {Web.Output}" : null);
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{WebPort}") };
        Client.DefaultRequestHeaders.Add("X-Api-Key", Key);
    }

    public AzuriteServer Azurite { get; }
    public PostgresServer Postgres { get; }
    public string QueueConnectionString { get; }
    public BlobArtifactStore Store { get; }
    public int WebPort { get; }
    public ServiceProcess Web { get; }
    public HttpClient Client { get; }

    /// <summary>Starts a worker process (`DigitGan.Jobs worker`) on the shared queue and store.</summary>
    public ServiceProcess StartWorker() => Start(JobsDll, ["worker"]);

    public Task<RunManifest> SubmitAsync(object spec) => RunsApiClient.SubmitAsync(Client, spec);

    public Task<RunManifest> GetAsync(Guid runId) => RunsApiClient.GetAsync(Client, runId);

    /// <summary>Polls the run until <paramref name="done"/> holds; a run that ends otherwise fails the wait with its error.</summary>
    public Task<RunManifest> WaitAsync(Guid runId, Func<RunManifest, bool> done, TimeSpan timeout, ServiceProcess? worker = null) =>
        RunsApiClient.WaitAsync(Client, runId, done, timeout,
            () => $"worker output:\n{worker?.Output}\nweb output:\n{Web.Output[^Math.Min(4000, Web.Output.Length)..]}");

    public void Dispose()
    {
        Client.Dispose();
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        Postgres.Dispose();
        Azurite.Dispose();
    }

    private const string JobsDll = "src/Jobs/bin/Release/net10.0/DigitGan.Jobs.dll";

    /// <summary>The shared storage and queue settings of every process of the pipeline, then the given ones.</summary>
    private (string Name, string Value)[] Settings(params (string Name, string Value)[] more) =>
    [
        ("DigitGan__Storage__Kind", "Blob"),
        ("DigitGan__Storage__ConnectionString", Azurite.ConnectionString),
        ("DigitGan__Storage__Container", Container),
        ("DigitGan__Queue__Kind", "PostgreSql"),
        ("DigitGan__Queue__ConnectionString", QueueConnectionString),
        ("DIGITGAN_DATA", Path.Combine(Path.GetTempPath(), "digitgan-e2e-data")),
        ("DIGITGAN_CACHE", Environment.GetEnvironmentVariable("DIGITGAN_CACHE") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "digitgan")),
        .. more,
    ];

    /// <summary>Starts a process of the pipeline; it is stopped when the fixture is disposed.</summary>
    private ServiceProcess Start(string dll, string[] args, params (string Name, string Value)[] environment)
    {
        var process = ServiceProcess.StartDotnet(dll, args, Settings(environment));
        lock (_processes)
        {
            _processes.Add(process);
        }

        return process;
    }

    private void RunCli(string verb)
    {
        using var process = ServiceProcess.StartDotnet(JobsDll, [verb], Settings());
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)) || !process.Output.Contains(verb == "import-mnist" ? "Imported 4 MNIST files" : "Classifier", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"`{verb}` into the Azurite container failed:\n{process.Output}");
        }
    }
}
