using Azure.Identity;
using DigitGan.Shared.Hosting;

namespace DigitGan.Shared.Artifacts;

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
