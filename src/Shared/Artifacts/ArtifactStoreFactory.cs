using Azure.Identity;

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

/// <summary>The queue runs wait in: the "DigitGan:Queue" section.</summary>
public sealed class QueueOptions
{
    /// <summary>InMemory (the embedded default: one process) or PostgreSql (shared by the web app and separate workers).</summary>
    public string Kind { get; set; } = "InMemory";

    /// <summary>PostgreSql: an Npgsql connection string (Host=...;Database=...;Username=...;Password=...).</summary>
    public string? ConnectionString { get; set; }

    public bool IsPostgreSql => string.Equals(Kind, "PostgreSql", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A setting is wrong; the message names it and says how to fix it.</summary>
public sealed class DigitGanConfigurationException(string message) : Exception(message);

public static class ArtifactStoreFactory
{
    /// <summary>Opens the configured store; <paramref name="defaultFolder"/> is the file store's folder when none is set.</summary>
    public static IArtifactStore Create(StorageOptions storage, string defaultFolder)
    {
        switch (storage.Kind.ToLowerInvariant())
        {
            case "file":
                return new FileArtifactStore(Path.GetFullPath(storage.Folder ?? defaultFolder));
            case "blob":
                if (!string.IsNullOrWhiteSpace(storage.ConnectionString))
                {
                    try
                    {
                        return BlobArtifactStore.FromConnectionString(storage.ConnectionString, storage.Container);
                    }
                    catch (Exception ex) when (ex is FormatException or ArgumentException)
                    {
                        throw new DigitGanConfigurationException($"DigitGan:Storage:ConnectionString is not a valid storage connection string ({ex.Message}).");
                    }
                }

                if (Uri.TryCreate(storage.AccountUrl, UriKind.Absolute, out var accountUrl))
                {
                    return BlobArtifactStore.FromAccountUrl(accountUrl, storage.Container, new DefaultAzureCredential());
                }

                throw new DigitGanConfigurationException("DigitGan:Storage:Kind is Blob: set DigitGan:Storage:ConnectionString (e.g. Azurite's) or DigitGan:Storage:AccountUrl (https://ACCOUNT.blob.core.windows.net, used with the managed identity).");
            default:
                throw new DigitGanConfigurationException($"DigitGan:Storage:Kind is '{storage.Kind}'; use File (a local folder, the default) or Blob (Azure Blob Storage or Azurite).");
        }
    }
}
