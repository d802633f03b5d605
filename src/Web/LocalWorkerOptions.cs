namespace DigitGan.Web;

/// <summary>
/// The "DigitGan:LocalWorker" section: the training worker process the web app runs beside itself. Training never
/// happens in the web process, so a native crash or an out-of-memory in libtorch costs the worker, not the pages.
/// </summary>
public sealed class LocalWorkerOptions
{
    /// <summary>Start a local worker; default: on with the SQLite queue (the embedded default), off with PostgreSQL.</summary>
    public bool? Enabled { get; set; }

    /// <summary>The worker: DigitGan.Jobs.dll (run with this dotnet) or an executable. Default: found beside the app.</summary>
    public string? Path { get; set; }

    /// <summary>How long a stop waits for the worker to leave its run at a step boundary before killing it.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(20);

    public bool IsEnabled(Shared.Queue.QueueOptions queue) => Enabled ?? queue.IsSqlite;
}
