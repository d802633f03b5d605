using DigitGan.Shared.Artifacts;
using DigitGan.Shared.Queue;

namespace DigitGan.Jobs.Hosting;

/// <summary>The settings a worker reads: the web app's "DigitGan" section, same names.</summary>
public sealed class WorkerOptions
{
    public StorageOptions Storage { get; set; } = new();

    public QueueOptions Queue { get; set; } = new();

    /// <summary>The data folder of the embedded default (file store, queue.db): $DIGITGAN_DATA or ~/.local/share/digitgan.</summary>
    public string? DataFolder { get; set; }
}
