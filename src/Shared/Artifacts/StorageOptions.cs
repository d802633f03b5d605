namespace DigitGan.Shared.Artifacts;

/// <summary>Where artifacts live: the "DigitGan:Storage" configuration section, shared by the web app and the workers.</summary>
public sealed class StorageOptions
{
    /// <summary>File (a local folder, the embedded default) or Blob (Azure Blob Storage or Azurite).</summary>
    public string Kind { get; set; } = "File";

    /// <summary>File: the store folder (default: the data folder's store/).</summary>
    public string? Folder { get; set; }

    /// <summary>Blob: a connection string (Azurite, account key) ...</summary>
    public string? ConnectionString { get; set; }

    /// <summary>... or the account URL, used with DefaultAzureCredential (managed identity on Azure).</summary>
    public string? AccountUrl { get; set; }

    public string Container { get; set; } = "digitgan";
}
