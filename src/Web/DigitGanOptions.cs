using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Queue;

namespace DigitGan.Web;

/// <summary>
/// The "DigitGan" configuration section (environment variables: DigitGan__Storage__Kind and so on). Nothing is
/// required: the embedded default is a local artifact folder, a SQLite queue file and a local worker process.
/// </summary>
public sealed class DigitGanOptions
{
    public const string Section = "DigitGan";

    public StorageOptions Storage { get; set; } = new();

    public QueueOptions Queue { get; set; } = new();

    /// <summary>The worker process this app starts, restarts and stops (on by default with the SQLite queue).</summary>
    public LocalWorkerOptions LocalWorker { get; set; } = new();

    /// <summary>Queued-runs cap, submit rate limit and request body sizes.</summary>
    public LimitsOptions Limits { get; set; } = new();

    /// <summary>How often the sweep coordinator looks at the active sweeps (docs/sweeps.md).</summary>
    public SweepOptions Sweeps { get; set; } = new();

    /// <summary>The key write endpoints require in X-Api-Key; when empty, one is generated and kept in the data folder.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Folder for the generated API key, the file store and the SQLite queue by default: $DIGITGAN_DATA or ~/.local/share/digitgan.</summary>
    public string? DataFolder { get; set; }

    /// <summary>At start, submit a first-look run (the preset: digits in 2-4 minutes on 2 cores) when the store has no runs, so there is something to browse.</summary>
    public bool SubmitQuickRunWhenEmpty { get; set; }
}
