namespace DigitGan.Web;

/// <summary>
/// The "DigitGan" configuration section (environment variables: DigitGan__Storage__Kind and so on). Nothing is
/// required: the embedded default is a local artifact folder, an in-memory queue and an in-process worker.
/// </summary>
public sealed class DigitGanOptions
{
    public const string Section = "DigitGan";

    public StorageOptions Storage { get; set; } = new();

    /// <summary>Train queued runs inside the web process (the embedded default); off for web-only nodes and tests.</summary>
    public bool InProcessWorker { get; set; } = true;

    /// <summary>The key write endpoints require in X-Api-Key; when empty, one is generated and kept in the data folder.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Folder for the generated API key (and the file store by default): $DIGITGAN_DATA or ~/.local/share/digitgan.</summary>
    public string? DataFolder { get; set; }

    /// <summary>At start, submit a quick run (1 epoch on 6,000 images) when the store has no runs, so there is something to browse.</summary>
    public bool SubmitQuickRunWhenEmpty { get; set; }
}

public sealed class StorageOptions
{
    /// <summary>File (a local folder) or Blob (Azure Blob Storage or Azurite).</summary>
    public string Kind { get; set; } = "File";

    /// <summary>File: the store folder (default: the data folder's store/).</summary>
    public string? Folder { get; set; }

    /// <summary>Blob: a connection string (Azurite, account key) ...</summary>
    public string? ConnectionString { get; set; }

    /// <summary>... or the account URL, used with DefaultAzureCredential (managed identity on Azure).</summary>
    public string? AccountUrl { get; set; }

    public string Container { get; set; } = "digitgan";
}

/// <summary>The configuration is wrong; the message says which setting and how to fix it.</summary>
public sealed class DigitGanConfigurationException(string message) : Exception(message);
