using DigitGan.Shared.Artifacts;

namespace DigitGan.Web;

/// <summary>
/// The "DigitGan" configuration section (environment variables: DigitGan__Storage__Kind and so on). Nothing is
/// required: the embedded default is a local artifact folder, an in-memory queue and an in-process worker.
/// </summary>
public sealed class DigitGanOptions
{
    public const string Section = "DigitGan";

    public StorageOptions Storage { get; set; } = new();

    public QueueOptions Queue { get; set; } = new();

    /// <summary>Train queued runs inside the web process (the embedded default); off for web-only nodes and tests.</summary>
    public bool InProcessWorker { get; set; } = true;

    /// <summary>The key write endpoints require in X-Api-Key; when empty, one is generated and kept in the data folder.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Folder for the generated API key (and the file store by default): $DIGITGAN_DATA or ~/.local/share/digitgan.</summary>
    public string? DataFolder { get; set; }

    /// <summary>At start, submit a quick run (1 epoch on 6,000 images) when the store has no runs, so there is something to browse.</summary>
    public bool SubmitQuickRunWhenEmpty { get; set; }
}
